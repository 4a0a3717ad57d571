import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { partitionForKey } from '../src/bus/partitioner.js';

describe('partitionForKey', () => {
  it("matches kafkajs' default (Java-compatible) partitioner, so memory and Kafka place keys alike", () => {
    const kafkajs = Partitioners.DefaultPartitioner();
    const keys = [
      '',
      'a',
      'ab',
      'abc',
      'abcd',
      'binance:perp:BTCUSDT',
      'htx:spot:ethusdt',
      'bybit:perp:1000PEPEUSDT',
      'ünïcødé:€',
    ];
    for (let i = 0; i < 500; i++) keys.push(`exchange${i % 7}:${i % 2 ? 'spot' : 'perp'}:SYM${i * 7919}`);
    for (const partitions of [1, 3, 6, 12, 64]) {
      const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
        partitionId,
        leader: 1,
        partitionErrorCode: 0,
        replicas: [1],
        isr: [1],
      }));
      for (const key of keys) {
        expect(partitionForKey(key, partitions)).toBe(
          kafkajs({ topic: 't', partitionMetadata, message: { key, value: null } }),
        );
      }
    }
  });

  it('spreads keys over the partitions', () => {
    const used = new Set(Array.from({ length: 100 }, (_, i) => partitionForKey(`k${i}`, 6)));
    expect(used.size).toBe(6);
  });
});
