import { encodeMessage, SCHEMA_VERSION_HEADER, TOPIC_NAMES } from '@pricelevel/contracts';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { describe, it } from 'vitest';
import { startKafkaTestBroker } from '../../../infra/kafka-test-broker/index.mjs';
import { KafkaBus } from '../src/bus/kafka-bus.js';
import { silentLogger } from '../src/logging/logger.js';
import { Recorder, runBusContract, trade, waitFor } from './bus.contract.js';

/** Settings for librdkafka's mock: a short session keeps rebalances to ~3 s instead of ~29 s. */
export function kafkaTestBus(brokers: string[]): KafkaBus {
  return new KafkaBus({
    brokers,
    clientId: 'bus-contract',
    logger: silentLogger,
    batch: { lingerMs: 2, maxMessages: 500 },
    consumer: {
      sessionTimeout: 4_000,
      heartbeatInterval: 300,
      maxWaitTimeInMs: 200,
      retryBackoffMs: 50,
      joinTimeoutMs: 30_000,
    },
  });
}

runBusContract(
  'KafkaBus on the librdkafka mock',
  async () => {
    const broker = await startKafkaTestBroker({ topics: TOPIC_NAMES.map((t) => `${t}:6`) });
    return { bus: kafkaTestBus(broker.brokers), dispose: () => broker.stop() };
  },
  { concurrent: true },
);

describe.concurrent('KafkaBus specifics', () => {
  async function setup(onTestFinished: (fn: () => Promise<void>) => void) {
    const broker = await startKafkaTestBroker({ topics: TOPIC_NAMES.map((t) => `${t}:6`) });
    const bus = kafkaTestBus(broker.brokers);
    onTestFinished(async () => {
      await bus.close();
      await broker.stop();
    });
    return { broker, bus };
  }

  it('counts, logs and skips messages it cannot decode, and keeps consuming', async ({
    expect,
    onTestFinished,
  }) => {
    const { broker, bus } = await setup(onTestFinished);
    const rec = new Recorder();
    await bus.subscribe({ topic: 'md.trade.v1', group: 'decode', fromBeginning: true }, rec.handler);
    // A foreign producer writes garbage, a message of an unknown schema version and an empty value.
    const raw = new Kafka({ brokers: broker.brokers, clientId: 'raw', logLevel: logLevel.NOTHING }).producer({
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await raw.connect();
    onTestFinished(() => raw.disconnect());
    const key = 'test:spot:D';
    const good = Buffer.from(encodeMessage('md.trade.v1', trade(key, 1).value));
    await raw.send({
      topic: 'md.trade.v1',
      messages: [
        { key, value: Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]) },
        { key, value: good, headers: { [SCHEMA_VERSION_HEADER]: 'v2' } },
        { key, value: null },
        { key, value: good }, // no schema header: accepted
      ],
    });
    await bus.publish('md.trade.v1', [trade(key, 2)]);
    await waitFor('the decodable messages', () => rec.items.length >= 2);
    expect(rec.items.map((d) => d.value.tradeId)).toEqual(['1', '2']);
    expect(bus.stats()).toMatchObject({ decodeErrors: 3, consumed: 2, published: 1, handlerErrors: 0 });
  });

  it('provisions topics best-effort: the mock has no CreateTopics, so it verifies they exist', async ({
    expect,
    onTestFinished,
  }) => {
    const { bus } = await setup(onTestFinished);
    await expect(bus.ensureTopics(['md.trade.v1', 'agg.candle.v1'], 6)).resolves.toBeUndefined();
    await expect(bus.ensureTopics(['nope.v1' as 'md.trade.v1'])).rejects.toThrow(/unknown bus topic/);
  });

  it('reports a broker that is gone as a publish error, not a crash', async ({ expect, onTestFinished }) => {
    const { broker } = await setup(onTestFinished);
    const bus = new KafkaBus({
      brokers: broker.brokers,
      clientId: 'gone',
      logger: silentLogger,
      connectionTimeoutMs: 300,
      requestTimeoutMs: 500,
      retry: { retries: 1, initialRetryTime: 50 },
    });
    onTestFinished(() => bus.close().catch(() => undefined));
    await broker.stop();
    await expect(bus.publish('md.trade.v1', [trade('test:spot:G', 1)])).rejects.toThrow();
    expect(bus.stats().published).toBe(0);
  });

  it('answers a readiness ping while the brokers answer, and fails it once they are gone', async ({ expect, onTestFinished }) => {
    const { broker } = await setup(onTestFinished);
    const bus = new KafkaBus({
      brokers: broker.brokers, clientId: 'ping', logger: silentLogger, connectionTimeoutMs: 300, requestTimeoutMs: 500, retry: { retries: 0 },
    });
    onTestFinished(() => bus.close().catch(() => undefined));
    await bus.ping();
    await bus.ping();
    await broker.stop();
    await expect(bus.ping()).rejects.toThrow();
  });
});
