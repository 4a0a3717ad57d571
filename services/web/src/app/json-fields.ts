/**
 * Readers for JSON from the gateway. The HTTP mirror writes proto3 JSON, which leaves out default values
 * (0, false, "", []), and int64 may come as a string; the WebSocket writes every field, with null for a
 * value that is not defined yet. These read either the same way.
 */
export type Json = Record<string, unknown>;

export function num(o: Json, k: string): number {
  const v = o[k];
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v !== '') return Number(v);
  return 0;
}

/** A number that may be "not defined yet": null (or absent NaN) stays null. */
export function numOrNull(o: Json, k: string): number | null {
  const v = o[k];
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v !== '' && v !== 'NaN') return Number(v);
  return null;
}

export function str(o: Json, k: string): string {
  const v = o[k];
  return typeof v === 'string' ? v : '';
}

export function bool(o: Json, k: string): boolean {
  return o[k] === true;
}

export function arr(o: Json, k: string): unknown[] {
  const v = o[k];
  return Array.isArray(v) ? v : [];
}

export function obj(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}
