import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/**
 * Serves the files under `root` (the built web UI) for GET and HEAD: `/` is index.html. Resolves true when
 * it answered, false when it has no such file (the caller answers 404). Paths that leave `root` (`..`,
 * encoded or not) and dotfiles are not served. index.html is `no-cache` so a new build is picked up at once;
 * the other files are revalidated by their Last-Modified date.
 */
export function createStaticFiles(root: string): (req: IncomingMessage, res: ServerResponse, pathname: string) => Promise<boolean> {
  const base = path.resolve(root);
  return async (req, res, pathname) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const file = resolveInside(base, pathname === '/' ? '/index.html' : pathname);
    if (file === undefined) return false;
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) return false;
    const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    const isIndex = path.basename(file) === 'index.html';
    const modified = info.mtime.toUTCString();
    if (!isIndex && req.headers['if-modified-since'] === modified) {
      res.writeHead(304, { 'Last-Modified': modified, 'Cache-Control': 'no-cache' });
      res.end();
      return true;
    }
    res.writeHead(200, {
      'Content-Type': type,
      'Content-Length': info.size,
      'Cache-Control': 'no-cache',
      'Last-Modified': modified,
      'X-Content-Type-Options': 'nosniff',
    });
    if (req.method === 'HEAD') {
      res.end();
      return true;
    }
    await new Promise<void>((resolve, reject) => {
      const stream = createReadStream(file);
      stream.once('error', (err) => {
        res.destroy(err);
        reject(err);
      });
      res.once('close', () => {
        stream.destroy();
        resolve();
      });
      stream.pipe(res);
    });
    return true;
  };
}

/** The absolute file a URL path names under `base`, or undefined when it is malformed, a dotfile, or outside. */
export function resolveInside(base: string, pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.some((s) => s.startsWith('.'))) return undefined;
  const file = path.resolve(base, ...segments);
  return file.startsWith(base + path.sep) ? file : undefined;
}
