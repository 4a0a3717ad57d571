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
  /**
   * Numbered publish, atomic with respect to every other client of the cache: increments the integer at
   * `counterKey`, publishes `"<n> <message>"` to `channel`, stores the same text under `latestKey` when
   * given, and returns n. Subscribers everywhere thus see the numbers in increasing order.
   */
  publishNumbered?(channel: string, counterKey: string, message: string, latestKey?: string): Promise<number>;
  /** Stores `value` only when `key` holds nothing; says whether it did. */
  setIfAbsent?(key: string, value: string): Promise<boolean>;
  /** Resolves when the server answers (readiness checks); absent = nothing to reach (in-memory). */
  ping?(): Promise<void>;
  close(): Promise<void>;
}
