import {
  Metadata, status as Status, type CallOptions, type ClientUnaryCall, type ServerUnaryCall, type ServerWritableStream, type ServiceError,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { instrumentKey, type LevelServiceClient, type LevelServiceServer, type LevelSet, type WatchLevelsRequest } from '@pricelevel/contracts';
import { callHelpers, type CallDeps } from './calls.js';
import type { GrpcStatus } from './status.js';

type UnaryMethod<Req, Res> = (request: Req, metadata: Metadata, options: Partial<CallOptions>, callback: (err: ServiceError | null, res?: Res) => void) => ClientUnaryCall;

/**
 * LevelService answered by the level detector's own gRPC server (distributed mode): every call is
 * forwarded with the caller's deadline and bearer token, and its status comes back unchanged. The
 * gateway's own checks still apply to streams (per-client limit, slow readers, shutdown).
 */
export function createRemoteLevelService(client: LevelServiceClient, deps: CallDeps & { address: string }): LevelServiceServer {
  const { openStream } = callHelpers(deps);
  const { logger, metrics, address } = deps;

  const unavailable = (err: ServiceError): GrpcStatus => {
    metrics.levelServiceErrors++;
    logger.warn({ address, code: Status[err.code], details: err.details }, 'the level service did not answer');
    return { code: Status.UNAVAILABLE, details: `the level service is unavailable (${err.details}); retry later` };
  };

  function forward<Req, Res>(method: UnaryMethod<Req, Res>) {
    return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
      const remote = method.call(client, call.request, forwardedMetadata(call.metadata), callOptions(call), (err, res) => {
        if (call.cancelled) return;
        // A status the level service chose (NOT_FOUND, INVALID_ARGUMENT, …) reaches the caller as it is.
        if (err) return callback(err.code === Status.UNAVAILABLE ? unavailable(err) : { code: err.code, details: err.details });
        callback(null, res);
      });
      call.on('cancelled', () => remote.cancel());
    };
  }

  function watchLevels(call: ServerWritableStream<WatchLevelsRequest, LevelSet>): void {
    const req = call.request;
    openStream(call, undefined, {
      method: 'WatchLevels',
      key: instrumentKey(req),
      pendingKey: () => 0,
      sent: () => metrics.grpcLevelSetsSent++,
      dropped: () => metrics.grpcLevelSetsDropped++,
      attach: (push, end) => {
        const remote = client.watchLevels(req, forwardedMetadata(call.metadata), callOptions(call));
        let cancelled = false;
        remote.on('data', (set: LevelSet) => push(set));
        remote.on('error', (err: ServiceError) => {
          if (cancelled) return;
          end(err.code === Status.UNAVAILABLE ? unavailable(err) : { code: err.code, details: err.details });
        });
        remote.on('end', () => {
          if (!cancelled) end({ code: Status.UNAVAILABLE, details: 'the level service ended the stream; watch again' });
        });
        return [
          () => {
            cancelled = true;
            remote.cancel();
          },
        ];
      },
    });
  }

  return {
    getLevels: forward(client.getLevels),
    getNearestLevels: forward(client.getNearestLevels),
    watchLevels,
    getLevelHistory: forward(client.getLevelHistory),
    evaluateLevels: forward(client.evaluateLevels),
  };
}

/** The caller's bearer token goes on: the level service may require the same one. */
function forwardedMetadata(incoming: Metadata): Metadata {
  const out = new Metadata();
  for (const value of incoming.get('authorization')) out.add('authorization', value);
  return out;
}

/** The caller's deadline, so the level service stops when the caller has given up. */
function callOptions(call: { getDeadline(): number | Date }): Partial<CallOptions> {
  const deadline = call.getDeadline();
  return deadline === Infinity ? {} : { deadline };
}
