export interface RedisTestServer {
  /** e.g. 'redis://127.0.0.1:40123' */
  url: string;
  port: number;
  /** SIGTERM the server and wait for it to exit (idempotent). */
  stop(): Promise<void>;
}

export interface RedisTestServerOptions {
  /** Path or name of the redis-server executable (default 'redis-server'). */
  binary?: string;
  /** How long to wait for PONG (default 10 000 ms). */
  startTimeoutMs?: number;
}

export function startRedisTestServer(options?: RedisTestServerOptions): Promise<RedisTestServer>;
