#!/usr/bin/env node
// `npm test`: install missing system packages, build, run every workspace's vitest suite
// through turbo, then print one summary line over all of them.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' };

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env });
  return r.status ?? 1;
}

if (run(process.execPath, ['infra/scripts/ensure-system-deps.mjs']) !== 0) process.exit(1);
const workspaces = ['packages', 'services'].flatMap((d) =>
  fs.readdirSync(path.join(root, d)).map((n) => path.join(root, d, n)),
);
for (const w of workspaces) fs.rmSync(path.join(w, 'test-results'), { recursive: true, force: true });

if (run('npx', ['turbo', 'run', 'build', '--output-logs=errors-only']) !== 0) process.exit(1);
const testStatus = run('npx', ['turbo', 'run', 'test', '--concurrency=1', '--continue', '--force']);

let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const w of workspaces) {
  if (!fs.existsSync(path.join(w, 'test'))) continue;
  const f = path.join(w, 'test-results', 'vitest.json');
  if (!fs.existsSync(f)) {
    missing.push(path.relative(root, w));
    continue;
  }
  const r = JSON.parse(fs.readFileSync(f, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + r.numTodoTests;
}
if (missing.length) console.error(`no test report from: ${missing.join(', ')}`);
console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(testStatus !== 0 || failed > 0 || missing.length > 0 ? 1 : 0);
