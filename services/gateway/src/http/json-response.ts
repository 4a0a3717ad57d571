import type { ServerResponse } from 'node:http';

/** Answers with a JSON body, unless the response is already over (client gone, or answered). */
export function sendJson(res: ServerResponse, status: number, body: object): void {
  if (res.writableEnded || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}
