#!/usr/bin/env node
// Installs the Debian packages the test suite needs when they are missing, so that
// `npm ci && npm test` works on a fresh machine. Needs root (or passwordless sudo) for apt.
import { execSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';

const NEEDED = [
  { pkg: 'librdkafka-dev', present: () => fs.existsSync('/usr/include/librdkafka/rdkafka_mock.h') },
  { pkg: 'redis-server', present: () => has('redis-server') },
  { pkg: 'protobuf-compiler', present: () => has('protoc') },
  { pkg: 'libprotobuf-dev', present: () => fs.existsSync('/usr/include/google/protobuf/timestamp.proto') },
  { pkg: 'gcc', present: () => has('gcc') },
  // The reference reader the dataset-export test checks its .npy files with.
  // The browser the web UI test drives through playwright-core (no browser downloads here).
  { pkg: 'chromium', present: () => fs.existsSync('/usr/bin/chromium') },
  { pkg: 'python3-numpy', present: () => spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0 },
];

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

const missing = NEEDED.filter((n) => !n.present()).map((n) => n.pkg);
if (missing.length === 0) {
  console.log('system packages: all present');
  process.exit(0);
}
if (process.platform !== 'linux' || !has('apt-get')) {
  console.error(`missing system packages (${missing.join(', ')}) and no apt-get here: install them by hand`);
  process.exit(1);
}
const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
console.log(`installing system packages: ${missing.join(' ')}`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execSync(`${sudo}apt-get update -qq`, { stdio: 'inherit', env });
execSync(`${sudo}apt-get install -y -qq --no-install-recommends ${missing.join(' ')}`, { stdio: 'inherit', env });
