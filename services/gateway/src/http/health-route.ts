import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock, Logger, Store } from '@pricelevel/platform';
import { JSON_API_PREFIX } from './json-api.js';
import { sendJson } from './json-response.js';

/** Answers a request it serves (true), else leaves it to the next route (false). */
export type StaticFiles = (req: IncomingMessage, res: ServerResponse, pathname: string) => Promise<boolean>;
export type JsonApi = (req: IncomingMessage, res: ServerResponse, pathname: string) => void;

export interface HttpRoutesDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  healthTimeoutMs: number;
  isStopping: () => boolean;
  /** `POST /api/v1/<Service>/<Method>`: the unary RPCs as JSON. */
  api?: JsonApi;
  /** The web UI's files, served at `/`. */
  staticFiles?: StaticFiles;
}

/**
 * Plain HTTP routes: GET /health (200 when the store answers a ping, 503 otherwise), the JSON API under
 * /api/v1/, and the web UI's static files; everything else 404.
 */
export function createHttpRoutes(deps: HttpRoutesDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    let path: string;
    try {
      path = new URL(req.url ?? '/', 'http://gateway').pathname;
    } catch {
      return sendJson(res, 400, { error: 'malformed request path' });
    }
    if (deps.api && path.startsWith(JSON_API_PREFIX)) return deps.api(req, res, path);
    if (path !== '/health') return notHealth(deps, req, res, path);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return sendJson(res, 405, { error: 'method not allowed' });
    }
    if (deps.isStopping()) return sendJson(res, 503, { status: 'stopping' });
    void pingStore(deps).then((failure) => {
      if (failure) {
        deps.logger.warn({ err: failure.error, reason: failure.reason }, 'health: store ping failed');
        sendJson(res, 503, { status: 'unavailable', reason: failure.reason });
      } else {
        sendJson(res, 200, { status: 'ok' });
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

function notHealth(deps: HttpRoutesDeps, req: IncomingMessage, res: ServerResponse, path: string): void {
  const notFound = () => sendJson(res, 404, { error: `no route for ${path}` });
  if (!deps.staticFiles) return notFound();
  deps.staticFiles(req, res, path).then(
    (served) => {
      if (!served) notFound();
    },
    (err: unknown) => {
      deps.logger.warn({ err, path }, 'serving a static file failed');
      sendJson(res, 500, { error: 'could not read the file' });
    },
  );
}
