import { status as Status, type ServerUnaryCall, type ServerWritableStream, type sendUnaryData } from '@grpc/grpc-js';
import type { Logger } from '@pricelevel/platform';
import type { RequestProblem } from '../instruments.js';
import type { GatewayLimits } from '../limits.js';
import type { GatewayMetrics } from '../metrics.js';
import { problemToStatus, storeErrorToStatus, type GrpcStatus } from './status.js';
import { StreamWriter, type OpenStream } from './stream-writer.js';

/** What every gRPC service of the gateway answers calls with. */
export interface CallDeps {
  limits: GatewayLimits;
  logger: Logger;
  metrics: GatewayMetrics;
  /** Open streams, so shutdown can end them. */
  streams: Set<OpenStream>;
  /** Open streams of each client peer (shared by every service), for `limits.maxStreamsPerClient`. */
  streamsPerPeer: Map<string, number>;
  /** True once the gateway is stopping: new streams are refused. */
  isStopping: () => boolean;
}

/** A failure with the status the client gets (anything else a unary call's work throws is a store failure). */
export class CallError extends Error {
  constructor(readonly status: GrpcStatus) {
    super(status.details);
  }
}

/** How one server-streaming method feeds its stream. */
export interface StreamSpec<T> {
  method: string;
  /** Log key: what the stream watches. */
  key: string;
  /** Updates with one key supersede each other while the client is not reading (see StreamWriter). */
  pendingKey: (update: T) => string | number;
  sent: () => void;
  dropped: () => void;
  /**
   * Attaches `push` to the live feeds; returns the unsubscribe functions. `end` closes the stream with a
   * status (a remote source failed).
   */
  attach: (push: (update: T) => void, end: (status: GrpcStatus) => void) => (() => void)[];
}

export interface CallHelpers {
  /** Counts a refused request and turns its problem into a status. */
  refuse(problem: RequestProblem): GrpcStatus;
  /** Answers a unary call with `run`'s result, unless the call was cancelled or its deadline passed meanwhile. */
  answer<Res>(call: ServerUnaryCall<unknown, Res>, callback: sendUnaryData<Res>, method: string, query: unknown, run: () => Promise<Res>): void;
  /** Opens a live stream: refused while stopping or on a bad request, else fed until the client leaves. */
  openStream<T>(call: ServerWritableStream<unknown, T>, problem: RequestProblem | undefined, spec: StreamSpec<T>): void;
}

export function callHelpers(deps: CallDeps): CallHelpers {
  const { limits, logger, metrics, streams, streamsPerPeer } = deps;

  function refuse(problem: RequestProblem): GrpcStatus {
    metrics.rejectedRequests++;
    return problemToStatus(problem);
  }

  function answer<Res>(call: ServerUnaryCall<unknown, Res>, callback: sendUnaryData<Res>, method: string, query: unknown, run: () => Promise<Res>): void {
    run().then(
      (res) => {
        // Deadline passed or client gone: grpc-js has already answered; do not answer twice.
        if (call.cancelled) return;
        callback(null, res);
      },
      (err: unknown) => {
        if (err instanceof CallError) {
          logger.debug({ query, code: Status[err.status.code], details: err.status.details }, `${method}: refused`);
          if (!call.cancelled) callback(err.status);
          return;
        }
        metrics.storeErrors++;
        const st = storeErrorToStatus(err);
        logger.error({ err, query, code: Status[st.code] }, `${method}: store query failed`);
        if (!call.cancelled) callback(st);
      },
    );
  }

  function openStream<T>(call: ServerWritableStream<unknown, T>, problem: RequestProblem | undefined, spec: StreamSpec<T>): void {
    if (deps.isStopping()) {
      call.emit('error', { code: Status.UNAVAILABLE, details: 'gateway is shutting down' });
      return;
    }
    if (problem) {
      call.emit('error', refuse(problem));
      return;
    }
    const { method, key } = spec;
    const peer = call.getPeer();
    const open = streamsPerPeer.get(peer) ?? 0;
    if (open >= limits.maxStreamsPerClient) {
      metrics.grpcStreamsRefusedPerClient++;
      logger.debug({ key, peer, open }, `${method}: refused, too many streams from one client`);
      call.emit('error', { code: Status.RESOURCE_EXHAUSTED, details: `this client already has ${open} streams open (the maximum); close one first` });
      return;
    }
    streamsPerPeer.set(peer, open + 1);
    const writer = new StreamWriter(call, { maxPending: limits.streamMaxPending, pendingKey: spec.pendingKey, sent: spec.sent, dropped: spec.dropped });
    // Attached first: a stream that sends the current state at once (WatchLevels) pushes it here.
    const detach = spec.attach((update) => writer.push(update), (status) => writer.end(status));
    streams.add(writer);
    metrics.grpcStreams++;
    let closed = false;
    const cleanup = (why: string) => {
      if (closed) return;
      closed = true;
      for (const unsubscribe of detach) unsubscribe();
      streams.delete(writer);
      metrics.grpcStreams--;
      const left = (streamsPerPeer.get(peer) ?? 1) - 1;
      if (left > 0) streamsPerPeer.set(peer, left);
      else streamsPerPeer.delete(peer);
      const log = { key, why, dropped: writer.dropped, peer };
      if (writer.dropped > 0) logger.warn(log, `${method} stream closed; slow client missed updates`);
      else logger.debug(log, `${method} stream closed`);
    };
    call.on('cancelled', () => cleanup('cancelled'));
    call.on('close', () => cleanup('closed'));
    call.on('finish', () => cleanup('finished'));
    call.on('error', () => cleanup('error'));
    logger.debug({ key, peer }, `${method} stream opened`);
  }

  return { refuse, answer, openStream };
}
