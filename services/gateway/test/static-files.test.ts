import fs from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaticFiles, resolveInside } from '../src/http/static-files.js';

let dir: string;
let root: string;
let server: Server;
let port: number;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request (fetch would normalize `..` away before it reaches the server). */
function send(method: string, rawPath: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path: rawPath, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-static-'));
  root = path.join(dir, 'public');
  fs.mkdirSync(path.join(root, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>pricelevel</title>');
  fs.writeFileSync(path.join(root, 'app.js'), 'console.log(1);');
  fs.writeFileSync(path.join(root, 'styles.css'), 'body{}');
  fs.writeFileSync(path.join(root, 'assets', 'a b.svg'), '<svg/>');
  fs.writeFileSync(path.join(root, '.env'), 'SECRET=1');
  fs.writeFileSync(path.join(dir, 'outside.txt'), 'not served');
  const serve = createStaticFiles(root);
  server = createServer((req, res) => {
    const pathname = (req.url ?? '/').split('?')[0]!;
    serve(req, res, pathname).then(
      (served) => {
        if (!served) res.writeHead(404).end('caller 404');
      },
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('static files', () => {
  it('serves / as index.html, not cached without revalidation', async () => {
    const r = await send('GET', '/');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['cache-control']).toBe('no-cache');
    expect(r.body).toBe('<!doctype html><title>pricelevel</title>');
    expect((await send('GET', '/index.html')).body).toBe(r.body);
  });

  it('answers each file with its content type and length; HEAD without a body', async () => {
    const js = await send('GET', '/app.js');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['content-length']).toBe(String('console.log(1);'.length));
    expect(js.body).toBe('console.log(1);');
    expect((await send('GET', '/styles.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    const svg = await send('GET', '/assets/a%20b.svg');
    expect([svg.status, svg.headers['content-type'], svg.body]).toEqual([200, 'image/svg+xml', '<svg/>']);
    const head = await send('HEAD', '/app.js');
    expect([head.status, head.headers['content-length'], head.body]).toEqual([200, '15', '']);
  });

  it('revalidates a file by its Last-Modified date (304)', async () => {
    const first = await send('GET', '/app.js');
    const again = await send('GET', '/app.js', { 'If-Modified-Since': String(first.headers['last-modified']) });
    expect([again.status, again.body]).toEqual([304, '']);
  });

  it('leaves unknown files, directories, dotfiles and other methods to the caller', async () => {
    for (const p of ['/missing.js', '/assets', '/assets/', '/.env', '/%2eenv']) expect((await send('GET', p)).status, p).toBe(404);
    expect((await send('POST', '/app.js')).status).toBe(404);
    expect((await send('DELETE', '/')).status).toBe(404);
  });

  it('never serves a file outside the root, however the path is written', async () => {
    for (const p of ['/../outside.txt', '/assets/../../outside.txt', '/%2e%2e/outside.txt', '/..%2foutside.txt', '/%2e%2e%5coutside.txt', '/%00']) {
      const r = await send('GET', p);
      expect(r.status, p).toBe(404);
      expect(r.body, p).not.toContain('not served');
    }
    expect(resolveInside(root, '/../outside.txt')).toBeUndefined();
    expect(resolveInside(root, '/%E0%A4%A')).toBeUndefined();
    expect(resolveInside(root, '/')).toBeUndefined();
    expect(resolveInside(root, '/assets/x.js')).toBe(path.join(root, 'assets', 'x.js'));
  });
});
