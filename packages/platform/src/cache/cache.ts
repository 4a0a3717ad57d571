/**
 * Cache port: latest state per key and pub/sub fan-out (gateway replicas).
 * Adapters: in-memory and Redis.
 */
export interface Cache {
  get(key: string): Promise<string | undefined>;
  /** ttlMs: optional expiry. */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  del(key: string): Promise<void>;
  publish(channel: string, message: string): Promise<void>;
  /** Resolves once the subscription is active. */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<{ close(): Promise<void> }>;
  close(): Promise<void>;
}
