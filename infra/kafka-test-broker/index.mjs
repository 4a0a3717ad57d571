// Starts librdkafka's mock cluster (a real Kafka wire-protocol broker) for tests and local runs.
// The C helper is compiled on first use and cached in bin/ (gitignored); rebuilt when the .c is newer.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const source = path.join(here, 'mock-broker.c');
const binary = path.join(here, 'bin', 'mock-broker');
const running = new Set();

process.once('exit', () => {
  for (const child of running) child.kill('SIGTERM');
});

/** Compiles the helper unless an up-to-date binary exists. Safe when several processes race. */
export function ensureMockBrokerBinary() {
  const srcTime = fs.statSync(source).mtimeMs;
  if (fs.existsSync(binary) && fs.statSync(binary).mtimeMs >= srcTime) return binary;
  fs.mkdirSync(path.dirname(binary), { recursive: true });
  const tmp = `${binary}.${process.pid}.tmp`;
  try {
    execFileSync('gcc', ['-O2', '-o', tmp, source, '-lrdkafka'], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const detail = err.stderr?.toString() || err.message;
    throw new Error(`cannot compile ${source} (needs gcc and librdkafka-dev): ${detail}`);
  }
  fs.renameSync(tmp, binary); // atomic: a concurrent user sees the old or the new binary, never half of one
  return binary;
}

/**
 * @param {{ topics?: string[], brokers?: number, startTimeoutMs?: number }} [options]
 * @returns {Promise<{ brokers: string[], stop(): Promise<void> }>}
 */
export async function startKafkaTestBroker(options = {}) {
  const topics = options.topics ?? [];
  const brokerCount = options.brokers ?? 1;
  for (const t of topics) {
    if (!/^[A-Za-z0-9._-]+:[1-9][0-9]*$/.test(t))
      throw new Error(`bad topic spec '${t}': want name:partitions`);
  }
  if (!Number.isInteger(brokerCount) || brokerCount < 1 || brokerCount > 16) {
    throw new Error(`brokers must be an integer 1..16, got ${brokerCount}`);
  }
  const bin = ensureMockBrokerBinary();
  const child = spawn(bin, [String(brokerCount), ...topics], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  exited.then(() => running.delete(child));

  const bootstrap = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    const timer = setTimeout(
      () => fail(new Error('mock broker did not print its bootstrap in time')),
      options.startTimeoutMs ?? 10_000,
    );
    const fail = (err) => {
      clearTimeout(timer);
      lines.close();
      child.kill('SIGKILL');
      reject(err);
    };
    lines.once('line', (line) => {
      clearTimeout(timer);
      lines.close();
      resolve(line.trim());
    });
    child.once('error', fail);
    exited.then(({ code, signal }) =>
      fail(new Error(`mock broker exited early (code ${code}, signal ${signal}): ${stderr.trim()}`)),
    );
  });

  let stopping;
  return {
    brokers: bootstrap.split(',').filter(Boolean),
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
          await exited;
          clearTimeout(timer);
        }
      })();
      return stopping;
    },
  };
}

// CLI: node infra/kafka-test-broker/index.mjs [--brokers N] topic:partitions ...
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const args = process.argv.slice(2);
  let brokers = 1;
  const i = args.indexOf('--brokers');
  if (i >= 0) {
    brokers = Number(args[i + 1]);
    args.splice(i, 2);
  }
  try {
    const broker = await startKafkaTestBroker({ topics: args, brokers });
    console.log(broker.brokers.join(','));
    const shutdown = () => broker.stop().then(() => process.exit(0));
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
    setInterval(() => {}, 1 << 30); // keep running until killed
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
