import { credentials, type ChannelCredentials, type ClientOptions } from '@grpc/grpc-js';
import { LevelServiceClient, MarketDataServiceClient } from '@pricelevel/contracts';
import type { CallContext } from './call-context.js';
import { levelsApi, type Levels } from './levels.js';
import { marketDataApi, type MarketData } from './market-data.js';

export interface TlsOptions {
  /** PEM CA certificates to trust instead of the system's. */
  rootCerts?: Buffer;
  /** PEM client key and certificate, for mutual TLS. */
  privateKey?: Buffer;
  certChain?: Buffer;
}

export interface ConnectOptions {
  /** host:port of the gateway's gRPC server, e.g. "127.0.0.1:50051". */
  address: string;
  /** The gateway's GATEWAY_TOKEN, sent as `authorization: Bearer <token>` on every call. */
  token?: string;
  /** true (system roots) or TLS settings; default: a plaintext channel. */
  tls?: boolean | TlsOptions;
  /** Deadline of every unary call that does not set its own, in ms; default: none. */
  defaultDeadlineMs?: number;
  /** Extra grpc-js channel options (keepalive, message sizes, …). */
  channelOptions?: Partial<ClientOptions>;
}

/** Both gateway services over one channel. */
export interface PricelevelClient {
  marketData: MarketData;
  levels: Levels;
  /** Closes the channel; calls still running fail with CANCELLED or UNAVAILABLE. */
  close(): void;
}

/** A client of a pricelevel gateway. The channel connects lazily, on the first call. */
export function connect(options: ConnectOptions): PricelevelClient {
  if (!options.address) throw new Error('connect: address is required, e.g. "127.0.0.1:50051"');
  if (options.defaultDeadlineMs !== undefined && !(options.defaultDeadlineMs > 0)) {
    throw new Error(`connect: defaultDeadlineMs must be positive, got ${options.defaultDeadlineMs}`);
  }
  const creds = channelCredentials(options.tls);
  const marketData = new MarketDataServiceClient(options.address, creds, options.channelOptions);
  // Shares the first client's channel: one connection for both services.
  const levels = new LevelServiceClient(options.address, creds, { ...options.channelOptions, channelOverride: marketData.getChannel() });
  const ctx: CallContext = { token: options.token, defaultDeadlineMs: options.defaultDeadlineMs };
  return {
    marketData: marketDataApi(marketData, ctx),
    levels: levelsApi(levels, ctx),
    close() {
      marketData.close();
    },
  };
}

function channelCredentials(tls: ConnectOptions['tls']): ChannelCredentials {
  if (!tls) return credentials.createInsecure();
  if (tls === true) return credentials.createSsl();
  return credentials.createSsl(tls.rootCerts ?? null, tls.privateKey ?? null, tls.certChain ?? null);
}
