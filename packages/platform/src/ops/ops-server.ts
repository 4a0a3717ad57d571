import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logging/logger.js';
import { PROMETHEUS_CONTENT_TYPE, type MetricsRegistry } from './metrics-registry.js';

/** One dependency the process needs to do its work: resolves when it is usable, throws (or rejects) when not. */
export interface ReadinessCheck {
  name: string;
  check: () => Promise<void> | void;
}

export interface OpsServerOptions {
  host: string;
  /** 0 = a free port (read it back from `port`). */
  port: number;
  registry: MetricsRegistry;
  checks?: readonly ReadinessCheck[];
  /** How long every check may take before it counts as failed (default 2000 ms). */
  checkTimeoutMs?: number;
  logger?: Logger;
}

export interface OpsServer {
  /** The port actually listened on. */
  readonly port: number;
  /** Readiness answers 503 from now on (shutdown has begun); liveness stays 200. */
  markStopping(): void;
  close(): Promise<void>;
}

export type CheckResult = { ok: true } | { ok: false; reason: string };

/**
 * Operations endpoints of one process: GET /health/live (200 while the process runs), /health/ready and
 * /health (200 when every check passes within the timeout, else 503 naming the failing ones), /metrics.
 */
export async function startOpsServer(o: OpsServerOptions): Promise<OpsServer> {
  let stopping = false;
  const server = http.createServer((req, res) => void handle(req, res));
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://ops').pathname;
    if (path !== '/metrics' && path !== '/health' && path !== '/health/live' && path !== '/health/ready') {
      return send(res, 404, 'application/json; charset=utf-8', JSON.stringify({ error: `no route for ${path}` }));
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, 405, 'application/json; charset=utf-8', JSON.stringify({ error: 'method not allowed' }));
    }
    if (path === '/metrics') {
      let text: string;
      try {
        text = o.registry.render();
      } catch (err) {
        o.logger?.error({ err }, 'rendering metrics failed');
        return send(res, 500, 'text/plain; charset=utf-8', 'metrics unavailable\n');
      }
      return send(res, 200, PROMETHEUS_CONTENT_TYPE, text);
    }
    if (path === '/health/live') return sendJson(res, 200, { status: 'ok' });
    if (stopping) return sendJson(res, 503, { status: 'stopping' });
    const results = await runChecks(o.checks ?? [], o.checkTimeoutMs ?? 2000);
    const failing = Object.entries(results).filter(([, r]) => !r.ok);
    const checks = Object.fromEntries(Object.entries(results).map(([name, r]) => [name, r.ok ? 'ok' : r.reason]));
    if (failing.length === 0) return sendJson(res, 200, { status: 'ok', checks });
    o.logger?.warn({ checks }, 'readiness check failed');
    sendJson(res, 503, { status: 'unavailable', failing: failing.map(([name]) => name), checks });
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    port,
    markStopping: () => {
      stopping = true;
    },
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        stopping = true;
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

/** Runs every check concurrently; each resolves to its outcome within `timeoutMs`. Never rejects. */
export async function runChecks(checks: readonly ReadinessCheck[], timeoutMs: number): Promise<Record<string, CheckResult>> {
  const outcomes = await Promise.all(checks.map((c) => runCheck(c, timeoutMs)));
  return Object.fromEntries(checks.map((c, i) => [c.name, outcomes[i]!]));
}

function runCheck(c: ReadinessCheck, timeoutMs: number): Promise<CheckResult> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ ok: false, reason: `no answer within ${timeoutMs} ms` }), timeoutMs);
    timer.unref();
    const done = (r: CheckResult) => {
      clearTimeout(timer);
      resolve(r);
    };
    try {
      Promise.resolve(c.check()).then(
        () => done({ ok: true }),
        (err: unknown) => done({ ok: false, reason: reasonOf(err) }),
      );
    } catch (err) {
      done({ ok: false, reason: reasonOf(err) });
    }
  });
}

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function sendJson(res: ServerResponse, status: number, body: object): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
}

function send(res: ServerResponse, status: number, contentType: string, text: string): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}
