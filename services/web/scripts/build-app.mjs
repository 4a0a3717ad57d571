// Bundles the browser app (src/app/main.ts → dist/public/app.js) and copies the static files beside it.
import { cp, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist', 'public');
await mkdir(out, { recursive: true });
await build({
  entryPoints: [path.join(root, 'src', 'app', 'main.ts')],
  outfile: path.join(out, 'app.js'),
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'esm',
  target: ['es2022'],
  legalComments: 'linked',
  logLevel: 'warning',
});
await cp(path.join(root, 'static'), out, { recursive: true });
