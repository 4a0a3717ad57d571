import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock, Logger, Store } from '@pricelevel/platform';

export interface HttpRoutesDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  healthTimeoutMs: number;
  isStopping: () => boolean;
}

/** Plain HTTP routes: GET /health (200 when the store answers a ping, 503 otherwise); everything else 404. */
export function createHttpRoutes(deps: HttpRoutesDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://gateway').pathname;
    if (path !== '/health') return json(res, 404, { error: `no route for ${path}` });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return json(res, 405, { error: 'method not allowed' });
    }
    if (deps.isStopping()) return json(res, 503, { status: 'stopping' });
    void pingStore(deps).then((failure) => {
      if (failure) {
        deps.logger.warn({ err: failure.error, reason: failure.reason }, 'health: store ping failed');
        json(res, 503, { status: 'unavailable', reason: failure.reason });
      } else {
        json(res, 200, { status: 'ok' });
      }
    });
  };
}

/** Resolves undefined when the store answers within the timeout, else why not (details stay in the log). Never rejects. */
function pingStore({ store, clock, healthTimeoutMs }: HttpRoutesDeps): Promise<{ reason: string; error?: unknown } | undefined> {
  return new Promise((resolve) => {
    const timer = clock.setTimeout(() => resolve({ reason: `store did not answer within ${healthTimeoutMs} ms` }), healthTimeoutMs);
    store.ping().then(
      () => {
        timer.cancel();
        resolve(undefined);
      },
      (err: unknown) => {
        timer.cancel();
        resolve({ reason: 'store ping failed', error: err });
      },
    );
  });
}

function json(res: ServerResponse, status: number, body: object): void {
  if (res.writableEnded || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}
