import { createHash, timingSafeEqual } from 'node:crypto';

const BEARER_RE = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * Does an `authorization` header value carry `Bearer <token>`? The comparison takes the same time
 * whatever the header holds: both sides are hashed first, so neither the content nor the length of
 * the token leaks through timing. An empty `token` accepts nothing.
 */
export function checkBearer(header: string | undefined, token: string): boolean {
  if (!token || header === undefined) return false;
  return sameSecret(bearerToken(header) ?? '', token);
}

/** The token of an `authorization: Bearer <token>` value, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  return header === undefined ? undefined : BEARER_RE.exec(header)?.[1];
}

/** Constant-time comparison: hashing first gives equal lengths, so neither content nor length leaks through timing. */
export function sameSecret(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}
