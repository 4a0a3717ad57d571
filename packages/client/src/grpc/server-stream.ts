import { status as Status, type CallOptions, type ClientReadableStream, type Metadata } from '@grpc/grpc-js';
import { toPricelevelError } from '../errors.js';
import { callMetadata, callOptions, type CallContext, type RpcOptions } from './call-context.js';

/** A generated client's server-streaming method, bound to its client. */
export type StreamMethod<Req, Res> = (request: Req, metadata: Metadata, options: Partial<CallOptions>) => ClientReadableStream<Res>;

/**
 * A server stream as an AsyncIterable. The call starts when iteration starts; leaving the loop (break,
 * return, throw) or aborting `signal` cancels it and the loop ends cleanly; any other end of the call
 * with an error status throws a PricelevelError. Reading through the stream's own iterator keeps
 * grpc-js flow control: a slow loop slows the server down instead of buffering without bound.
 */
export function callServerStream<Req, Res>(ctx: CallContext, method: StreamMethod<Req, Res>, request: Req, options: RpcOptions = {}): AsyncIterable<Res> {
  return {
    async *[Symbol.asyncIterator]() {
      const { signal } = options;
      if (signal?.aborted) return;
      const call = method(request, callMetadata(ctx), callOptions(options.deadlineMs));
      let cancelled = false;
      const cancel = () => {
        cancelled = true;
        call.cancel();
      };
      signal?.addEventListener('abort', cancel, { once: true });
      try {
        for await (const message of call as AsyncIterable<Res>) yield message;
      } catch (err) {
        const e = toPricelevelError(err);
        if (cancelled && e.status === Status.CANCELLED) return;
        throw e;
      } finally {
        signal?.removeEventListener('abort', cancel);
        // Left early (break or a throw in the loop): the server stops sending.
        call.cancel();
      }
    },
  };
}
