import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const pkgDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const hasProtoc = spawnSync('protoc', ['--version']).status === 0;

function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(path.relative(dir, p), fs.readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

describe('generated code', () => {
  it('is up to date with proto/ (run `npm run proto:gen` when this fails)', (ctx) => {
    if (!hasProtoc) {
      console.warn('protoc is not installed: the generated-code staleness check cannot run here');
      ctx.skip();
    }
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-gen-'));
    try {
      execFileSync(process.execPath, [path.join(pkgDir, 'scripts/generate.mjs'), '--out', tmp], { stdio: 'pipe' });
      const fresh = readTree(tmp);
      const committed = readTree(path.join(pkgDir, 'src/gen'));
      expect([...committed.keys()].sort()).toEqual([...fresh.keys()].sort());
      for (const [file, text] of fresh) expect(committed.get(file), file).toBe(text);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
