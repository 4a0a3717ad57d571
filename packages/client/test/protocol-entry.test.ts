import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as main from '../src/index.js';
import * as protocol from '../src/protocol.js';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

/** The modules a source file loads at run time, as tsc emits it (type-only imports are gone). */
function runtimeImports(file: string): string[] {
  const { outputText } = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.NodeNext, target: ts.ScriptTarget.ES2022 },
    fileName: file,
  });
  return ts.preProcessFile(outputText, true, true).importedFiles.map((f) => f.fileName);
}

/** Follows the relative imports from `entry`: the source files reached, and every other module imported. */
function importGraph(entry: string): { files: string[]; external: string[] } {
  const files = new Set<string>();
  const external = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of runtimeImports(file)) {
      if (spec.startsWith('.')) visit(path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')));
      else external.add(spec);
    }
  };
  visit(path.join(SRC, entry));
  return { files: [...files].map((f) => path.relative(SRC, f)).sort(), external: [...external].sort() };
}

// `@pricelevel/client/protocol` is bundled into the web UI: it must not pull in `ws`, grpc-js or node:* modules.
describe('the protocol entry', () => {
  it('loads only the pure protocol modules, and no package or Node module', () => {
    expect(importGraph('protocol.ts')).toEqual({
      files: ['protocol.ts', 'ws/backoff.ts', 'ws/channels.ts', 'ws/messages.ts', 'ws/resume-state.ts'],
      external: [],
    });
    // The check sees them where they are: the main entry needs the Node client's modules.
    expect(importGraph('index.ts').external).toEqual(expect.arrayContaining(['@grpc/grpc-js', 'ws']));
  });

  it('is part of the main entry, which exports the same protocol values', () => {
    for (const [name, value] of Object.entries(protocol)) expect(main[name as keyof typeof main]).toBe(value);
    expect(Object.keys(protocol).sort()).toEqual(['DEFAULT_BACKOFF', 'ResumeState', 'backoffDelay', 'channels', 'parseChannelName', 'parseServerMessage']);
  });

  it('is exported as @pricelevel/client/protocol', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(SRC, '../package.json'), 'utf8')) as { exports: Record<string, unknown> };
    expect(pkg.exports['./protocol']).toEqual({ types: './dist/protocol.d.ts', default: './dist/protocol.js' });
  });
});
