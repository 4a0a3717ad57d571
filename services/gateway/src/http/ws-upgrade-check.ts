import type { IncomingMessage } from 'node:http';
import { bearerToken, sameSecret } from '../auth.js';

export interface UpgradeAccess {
  /** Origins a browser may connect from (exact `Origin` header values); empty = any. */
  allowedOrigins: readonly string[];
  /** Shared secret an upgrade must carry as `Authorization: Bearer <token>` or `?token=<token>`; undefined = open. */
  token: string | undefined;
}

export type UpgradeRefusal = { status: 401 | 403; reason: string };

/** Why a WebSocket upgrade is refused, or undefined when it may proceed. */
export function checkUpgrade(req: IncomingMessage, url: URL, access: UpgradeAccess): UpgradeRefusal | undefined {
  if (access.allowedOrigins.length > 0) {
    const origin = req.headers.origin;
    if (origin === undefined || !access.allowedOrigins.includes(origin)) return { status: 403, reason: 'origin not allowed' };
  }
  if (access.token !== undefined) {
    const presented = bearerToken(req.headers.authorization) ?? url.searchParams.get('token') ?? undefined;
    if (presented === undefined || !sameSecret(presented, access.token)) return { status: 401, reason: 'missing or wrong token' };
  }
  return undefined;
}

/** A minimal HTTP error answer written on the raw upgrade socket. */
export function refusalResponse(refusal: UpgradeRefusal): string {
  const status = refusal.status === 401 ? '401 Unauthorized' : '403 Forbidden';
  const challenge = refusal.status === 401 ? 'WWW-Authenticate: Bearer\r\n' : '';
  return `HTTP/1.1 ${status}\r\n${challenge}Connection: close\r\nContent-Length: 0\r\n\r\n`;
}
