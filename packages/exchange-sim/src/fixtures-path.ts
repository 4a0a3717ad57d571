import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The project's `fixtures/` directory, resolved from this package (src/ or dist/ → ../../../fixtures). */
export function defaultFixturesDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures');
}
