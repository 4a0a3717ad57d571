import { status as Status, type ServerUnaryCall, type ServerWritableStream, type sendUnaryData } from '@grpc/grpc-js';
import type { Candle, GetCandlesRequest, GetCandlesResponse, MarketDataServiceServer, WatchCandlesRequest } from '@pricelevel/contracts';
import type { Clock, Logger, Store } from '@pricelevel/platform';
import { type CandleFanout, watchKey } from '../candle-fanout.js';
import { checkInstrumentAndInterval, resolveCandleQuery } from '../candle-query.js';
import { candleQualities, qualityQueryFor } from '../candle-quality.js';
import type { InstrumentCatalog } from '../instruments.js';
import type { GatewayLimits } from '../limits.js';
import type { GatewayMetrics } from '../metrics.js';
import { CandleStreamWriter } from './candle-stream-writer.js';
import { problemToStatus, storeErrorToStatus } from './status.js';

export interface MarketDataServiceDeps {
  store: Store;
  fanout: CandleFanout;
  catalog: InstrumentCatalog;
  limits: GatewayLimits;
  clock: Clock;
  logger: Logger;
  metrics: GatewayMetrics;
  /** Open streams, so shutdown can end them. */
  streams: Set<CandleStreamWriter>;
  /** True once the gateway is stopping: new streams are refused. */
  isStopping: () => boolean;
}

export function createMarketDataService(deps: MarketDataServiceDeps): MarketDataServiceServer {
  const { store, fanout, catalog, limits, clock, logger, metrics, streams } = deps;

  function getCandles(call: ServerUnaryCall<GetCandlesRequest, GetCandlesResponse>, callback: sendUnaryData<GetCandlesResponse>): void {
    const resolved = resolveCandleQuery(call.request, { catalog, limits, now: clock.now() });
    if (!resolved.ok) {
      metrics.rejectedRequests++;
      callback(problemToStatus(resolved.problem));
      return;
    }
    const query = resolved.value;
    const withQuality = call.request.withQuality;
    const answer = async (): Promise<GetCandlesResponse> => {
      const stored = await store.queryCandles(query);
      const candles = stored.length > query.limit ? stored.slice(0, query.limit) : stored;
      // with_quality: the data-quality ledger over each returned candle (one more store query).
      const qq = withQuality ? qualityQueryFor(query, candles) : undefined;
      return { candles, quality: qq ? candleQualities(candles, await store.queryQualityMinutes(qq)) : [] };
    };
    answer().then(
      (res) => {
        // Deadline passed or client gone: grpc-js has already answered; do not answer twice.
        if (call.cancelled) return;
        callback(null, res);
      },
      (err: unknown) => {
        metrics.storeErrors++;
        const st = storeErrorToStatus(err);
        logger.error({ err, query, code: Status[st.code] }, 'GetCandles: store query failed');
        if (!call.cancelled) callback(st);
      },
    );
  }

  function watchCandles(call: ServerWritableStream<WatchCandlesRequest, Candle>): void {
    if (deps.isStopping()) {
      call.emit('error', { code: Status.UNAVAILABLE, details: 'gateway is shutting down' });
      return;
    }
    const problem = checkInstrumentAndInterval(call.request, catalog);
    if (problem) {
      metrics.rejectedRequests++;
      call.emit('error', problemToStatus(problem));
      return;
    }
    const key = watchKey(call.request);
    const writer = new CandleStreamWriter(call, limits.streamMaxPending, metrics);
    const unsubscribe = fanout.add(key, (c) => writer.push(c));
    streams.add(writer);
    metrics.grpcStreams++;
    let closed = false;
    const cleanup = (why: string) => {
      if (closed) return;
      closed = true;
      unsubscribe();
      streams.delete(writer);
      metrics.grpcStreams--;
      const log = { key, why, dropped: writer.dropped, peer: call.getPeer() };
      if (writer.dropped > 0) logger.warn(log, 'WatchCandles stream closed; slow client missed updates');
      else logger.debug(log, 'WatchCandles stream closed');
    };
    call.on('cancelled', () => cleanup('cancelled'));
    call.on('close', () => cleanup('closed'));
    call.on('finish', () => cleanup('finished'));
    call.on('error', () => cleanup('error'));
    logger.debug({ key, peer: call.getPeer() }, 'WatchCandles stream opened');
  }

  return { getCandles, watchCandles };
}
