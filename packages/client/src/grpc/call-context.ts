import { Metadata, type CallOptions } from '@grpc/grpc-js';

/** Per-call options of every RPC. */
export interface RpcOptions {
  /** Deadline of this call in ms from now (unary calls default to the client's `defaultDeadlineMs`). */
  deadlineMs?: number;
  /** Cancels the call: a unary call rejects with CANCELLED, a stream ends cleanly. */
  signal?: AbortSignal;
}

/** What every call of one client carries: the bearer token and the default unary deadline. */
export interface CallContext {
  token: string | undefined;
  defaultDeadlineMs: number | undefined;
}

/**
 * The token rides as metadata on each call, not as call credentials: grpc-js refuses call credentials on
 * an insecure channel, and a gateway on loopback or behind a TLS-terminating proxy is insecure to us.
 */
export function callMetadata(ctx: CallContext): Metadata {
  const metadata = new Metadata();
  if (ctx.token) metadata.set('authorization', `Bearer ${ctx.token}`);
  return metadata;
}

export function callOptions(deadlineMs: number | undefined): Partial<CallOptions> {
  return deadlineMs === undefined ? {} : { deadline: new Date(Date.now() + deadlineMs) };
}
