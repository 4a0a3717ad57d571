import type { CallOptions, ClientUnaryCall, Metadata, ServiceError } from '@grpc/grpc-js';
import { PricelevelError, toPricelevelError } from '../errors.js';
import { callMetadata, callOptions, type CallContext, type RpcOptions } from './call-context.js';

/** A generated client's unary method, bound to its client. */
export type UnaryMethod<Req, Res> = (
  request: Req, metadata: Metadata, options: Partial<CallOptions>, callback: (err: ServiceError | null, res: Res) => void,
) => ClientUnaryCall;

/** One unary call as a Promise: token metadata, deadline, abort through `signal`, failures as PricelevelError. */
export function callUnary<Req, Res>(ctx: CallContext, method: UnaryMethod<Req, Res>, request: Req, options: RpcOptions = {}): Promise<Res> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(new PricelevelError('CANCELLED', 'the call was aborted before it started'));
  return new Promise<Res>((resolve, reject) => {
    const onAbort = () => call.cancel();
    const call = method(request, callMetadata(ctx), callOptions(options.deadlineMs ?? ctx.defaultDeadlineMs), (err, res) => {
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(toPricelevelError(err));
      else resolve(res);
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
