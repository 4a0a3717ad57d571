export interface KafkaTestBroker {
  /** Bootstrap addresses, e.g. ['127.0.0.1:40123']. */
  brokers: string[];
  /** SIGTERM the broker and wait for it to exit (idempotent). */
  stop(): Promise<void>;
}

export interface KafkaTestBrokerOptions {
  /** Topics to pre-create, each 'name:partitions' (the mock has no CreateTopics). */
  topics?: string[];
  /** Number of mock brokers (default 1). */
  brokers?: number;
  /** How long to wait for the bootstrap line (default 10 000 ms). */
  startTimeoutMs?: number;
}

export function startKafkaTestBroker(options?: KafkaTestBrokerOptions): Promise<KafkaTestBroker>;

/** Compiles mock-broker.c into bin/ unless an up-to-date binary exists; returns its path. */
export function ensureMockBrokerBinary(): string;
