import { status as Status, type ServerUnaryCall, type ServerWritableStream, type sendUnaryData } from '@grpc/grpc-js';
import type {
  Candle, FeatureUpdate, GetCandlesRequest, GetCandlesResponse, GetFeaturesRequest, GetFeaturesResponse, MarketDataServiceServer,
  WatchCandlesRequest, WatchFeaturesRequest,
} from '@pricelevel/contracts';
import { instrumentKey } from '@pricelevel/contracts';
import type { Clock, Logger, Store } from '@pricelevel/platform';
import { checkInstrumentAndInterval, resolveCandleQuery } from '../candle-query.js';
import { candleQualities, qualityQueryFor } from '../candle-quality.js';
import { checkFeatureWatch, flowIntervalOf, resolveFeatureQuery } from '../feature-query.js';
import type { InstrumentCatalog, RequestProblem } from '../instruments.js';
import type { GatewayLimits } from '../limits.js';
import { seriesKey, type LiveFeeds } from '../live-feeds.js';
import type { GatewayMetrics } from '../metrics.js';
import { problemToStatus, storeErrorToStatus } from './status.js';
import { StreamWriter, type OpenStream } from './stream-writer.js';

export interface MarketDataServiceDeps {
  store: Store;
  feeds: LiveFeeds;
  catalog: InstrumentCatalog;
  limits: GatewayLimits;
  clock: Clock;
  logger: Logger;
  metrics: GatewayMetrics;
  /** Open streams, so shutdown can end them. */
  streams: Set<OpenStream>;
  /** True once the gateway is stopping: new streams are refused. */
  isStopping: () => boolean;
}

/** How one server-streaming method feeds its stream. */
interface StreamSpec<T> {
  method: string;
  /** Log key: what the stream watches. */
  key: string;
  pendingKey: (update: T) => string | number;
  sent: () => void;
  dropped: () => void;
  /** Attaches `push` to the live feeds; returns the unsubscribe functions. */
  attach: (push: (update: T) => void) => (() => void)[];
}

export function createMarketDataService(deps: MarketDataServiceDeps): MarketDataServiceServer {
  const { store, feeds, catalog, limits, clock, logger, metrics, streams } = deps;

  function refuse(problem: RequestProblem): ReturnType<typeof problemToStatus> {
    metrics.rejectedRequests++;
    return problemToStatus(problem);
  }

  /** Answers a unary call with `run`'s result, unless the call was cancelled or its deadline passed meanwhile. */
  function answer<Res>(call: ServerUnaryCall<unknown, Res>, callback: sendUnaryData<Res>, method: string, query: unknown, run: () => Promise<Res>): void {
    run().then(
      (res) => {
        // Deadline passed or client gone: grpc-js has already answered; do not answer twice.
        if (call.cancelled) return;
        callback(null, res);
      },
      (err: unknown) => {
        metrics.storeErrors++;
        const st = storeErrorToStatus(err);
        logger.error({ err, query, code: Status[st.code] }, `${method}: store query failed`);
        if (!call.cancelled) callback(st);
      },
    );
  }

  /** Opens a live stream: refused while stopping or on a bad request, else fed until the client leaves. */
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
    const writer = new StreamWriter(call, { maxPending: limits.streamMaxPending, pendingKey: spec.pendingKey, sent: spec.sent, dropped: spec.dropped });
    const detach = spec.attach((update) => writer.push(update));
    streams.add(writer);
    metrics.grpcStreams++;
    let closed = false;
    const cleanup = (why: string) => {
      if (closed) return;
      closed = true;
      for (const unsubscribe of detach) unsubscribe();
      streams.delete(writer);
      metrics.grpcStreams--;
      const log = { key, why, dropped: writer.dropped, peer: call.getPeer() };
      if (writer.dropped > 0) logger.warn(log, `${method} stream closed; slow client missed updates`);
      else logger.debug(log, `${method} stream closed`);
    };
    call.on('cancelled', () => cleanup('cancelled'));
    call.on('close', () => cleanup('closed'));
    call.on('finish', () => cleanup('finished'));
    call.on('error', () => cleanup('error'));
    logger.debug({ key, peer: call.getPeer() }, `${method} stream opened`);
  }

  function getCandles(call: ServerUnaryCall<GetCandlesRequest, GetCandlesResponse>, callback: sendUnaryData<GetCandlesResponse>): void {
    const resolved = resolveCandleQuery(call.request, { catalog, limits, now: clock.now() });
    if (!resolved.ok) return callback(refuse(resolved.problem));
    const query = resolved.value;
    const withQuality = call.request.withQuality;
    answer(call, callback, 'GetCandles', query, async () => {
      const stored = await store.queryCandles(query);
      const candles = stored.length > query.limit ? stored.slice(0, query.limit) : stored;
      // with_quality: the data-quality ledger over each returned candle (one more store query).
      const qq = withQuality ? qualityQueryFor(query, candles) : undefined;
      return { candles, quality: qq ? candleQualities(candles, await store.queryQualityMinutes(qq)) : [] };
    });
  }

  function getFeatures(call: ServerUnaryCall<GetFeaturesRequest, GetFeaturesResponse>, callback: sendUnaryData<GetFeaturesResponse>): void {
    const resolved = resolveFeatureQuery(call.request, { catalog, limits, now: clock.now() });
    if (!resolved.ok) return callback(refuse(resolved.problem));
    const { series, flowInterval, withSnapshots } = resolved.value;
    answer(call, callback, 'GetFeatures', resolved.value, async () => {
      const [book, flow, snapshots] = await Promise.all([
        store.queryBookFeatures(series),
        flowInterval === undefined ? [] : store.queryOrderFlows({ ...series, interval: flowInterval }),
        withSnapshots ? store.queryBookSnapshots(series) : [],
      ]);
      return { book, flow, snapshots };
    });
  }

  function watchCandles(call: ServerWritableStream<WatchCandlesRequest, Candle>): void {
    const req = call.request;
    openStream(call, checkInstrumentAndInterval(req, catalog), {
      method: 'WatchCandles',
      key: seriesKey(req),
      pendingKey: (c) => c.openTime,
      sent: () => metrics.grpcCandlesSent++,
      dropped: () => metrics.grpcCandlesDropped++,
      attach: (push) => [feeds.onCandle(req, push)],
    });
  }

  function watchFeatures(call: ServerWritableStream<WatchFeaturesRequest, FeatureUpdate>): void {
    const req = call.request;
    const interval = flowIntervalOf(req.flowInterval);
    openStream(call, checkFeatureWatch(req, catalog), {
      method: 'WatchFeatures',
      key: `${instrumentKey(req)}:${interval ?? 'book only'}`,
      pendingKey: ({ update: u }) => (u?.$case === 'flow' ? `flow:${u.value.openTime}` : `book:${u?.value.ts ?? 0}`),
      sent: () => metrics.grpcFeaturesSent++,
      dropped: () => metrics.grpcFeaturesDropped++,
      attach: (push) => [
        feeds.onBookFeatures(req, (value) => push({ update: { $case: 'book', value } })),
        ...(interval === undefined ? [] : [feeds.onOrderFlow({ ...req, interval }, (value) => push({ update: { $case: 'flow', value } }))]),
      ],
    });
  }

  return { getCandles, watchCandles, getFeatures, watchFeatures };
}
