/**
 * Cache port: latest state per key and pub/sub fan-out (gateway replicas).
 * Adapters: in-memory and Redis.
 */
export interface NumberedMessage {
  channel: string;
  counterKey: string;
  message: string;
  latestKey?: string;
  source?: SourcePosition;
}

/** A message's place in an ordered stream: `stream` names it within the hash at `marksKey`. */
export interface SourcePosition {
  marksKey: string;
  stream: string;
  /** Increasing within the stream (a bus offset), compared as integers. */
  offset: string;
  /** Orders the messages of one offset. */
  index: number;
}

export interface Cache {
  get(key: string): Promise<string | undefined>;
  /** ttlMs: optional expiry. */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  del(key: string): Promise<void>;
  publish(channel: string, message: string): Promise<void>;
  /** Resolves once the subscription is active. */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<{ close(): Promise<void> }>;
  /**
   * Numbered publish of a list of messages, all or none, atomic with respect to every other client of the
   * cache: for each in order, increments the integer at `counterKey`, publishes `"<n> <message>"` to
   * `channel`, stores the same text under `latestKey` when given; returns the n of each. Subscribers
   * everywhere thus see the numbers in increasing order. With `source` (where the message comes from in an
   * ordered stream, e.g. a bus partition), a message whose position is not past the last one published from
   * that stream is skipped and its n is 0: a redelivery publishes nothing twice, whichever client it reaches.
   */
  publishNumbered?(messages: readonly NumberedMessage[]): Promise<number[]>;
  /** Stores `value` only when `key` holds nothing; says whether it did. */
  setIfAbsent?(key: string, value: string): Promise<boolean>;
  /** Resolves when the server answers (readiness checks); absent = nothing to reach (in-memory). */
  ping?(): Promise<void>;
  close(): Promise<void>;
}
