import { fileURLToPath } from 'node:url';

/** Absolute path of the built web UI (index.html, app.js, styles.css): what the gateway serves at `/`. */
export const webRoot: string = fileURLToPath(new URL('../dist/public', import.meta.url));
