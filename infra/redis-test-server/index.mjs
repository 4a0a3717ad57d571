// Starts Debian's redis-server on 127.0.0.1 with a free port, no persistence, for tests.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const running = new Set();
const setpriv = process.platform === 'linux' ? findOnPath('setpriv') : undefined;

function findOnPath(cmd) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const full = path.join(dir, cmd);
    try {
      fs.accessSync(full, fs.constants.X_OK);
      return full;
    } catch {
      // not here
    }
  }
  return undefined;
}
process.once('exit', () => {
  for (const child of running) child.kill('SIGTERM');
});

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** One PING over RESP; resolves true on +PONG. */
function ping(port) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    const done = (ok) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(500, () => done(false));
    sock.once('error', () => done(false));
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.once('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

async function startOnce(port, binary, startTimeoutMs) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redis-test-'));
  const args = [
    '--bind',
    '127.0.0.1',
    '--port',
    String(port),
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--daemonize',
    'no',
    '--loglevel',
    'warning',
  ];
  // setpriv (util-linux) makes the kernel stop the server if this process dies without cleaning up.
  const child = setpriv
    ? spawn(setpriv, ['--pdeathsig', 'TERM', '--', binary, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (d) => (output = (output + d.toString()).slice(-4000));
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  running.add(child);
  let exitInfo;
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      fs.rmSync(dir, { recursive: true, force: true });
      exitInfo = { code, signal };
      resolve(exitInfo);
    }),
  );
  const spawnError = new Promise((resolve) => child.once('error', resolve));
  let failure;
  spawnError.then(
    (err) => (failure = new Error(`cannot run ${binary} (install redis-server): ${err.message}`)),
  );

  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (failure) throw failure;
    if (exitInfo?.code === 127) throw new Error(`cannot run ${binary} (install redis-server): ${output.trim()}`);
    if (exitInfo)
      return { child, error: new Error(`redis-server exited (code ${exitInfo.code}): ${output.trim()}`) };
    if (await ping(port)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await exited;
      throw new Error(`redis-server did not answer on port ${port} in time: ${output.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, exited };
}

/**
 * @param {{ binary?: string, startTimeoutMs?: number }} [options]
 * @returns {Promise<{ url: string, port: number, stop(): Promise<void> }>}
 */
export async function startRedisTestServer(options = {}) {
  const binary = options.binary ?? 'redis-server';
  let lastError;
  // The free port can be taken between probing and binding: retry a few times on a fresh one.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const started = await startOnce(port, binary, options.startTimeoutMs ?? 10_000);
    if (started.error) {
      lastError = started.error;
      continue;
    }
    const { child, exited } = started;
    let stopping;
    return {
      url: `redis://127.0.0.1:${port}`,
      port,
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
  throw lastError;
}
