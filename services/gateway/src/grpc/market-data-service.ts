import type { ServerUnaryCall, ServerWritableStream, sendUnaryData } from '@grpc/grpc-js';
import { status as Status } from '@grpc/grpc-js';
import type {
  BookSnapshot, Candle, FeatureUpdate, GetCandlesRequest, GetCandlesResponse, GetFeaturesRequest, GetFeaturesResponse, GetOrderBookRequest,
  ListInstrumentsRequest, ListInstrumentsResponse, MarketDataServiceServer, WatchCandlesRequest, WatchFeaturesRequest,
} from '@pricelevel/contracts';
import { instrumentKey } from '@pricelevel/contracts';
import type { Clock, Store } from '@pricelevel/platform';
import { checkInstrumentAndInterval, resolveCandleQuery } from '../candle-query.js';
import { candleQualities, qualityQueryFor } from '../candle-quality.js';
import { checkFeatureWatch, flowIntervalOf, resolveFeatureQuery } from '../feature-query.js';
import { listInstruments as listCatalog } from '../instrument-list.js';
import type { InstrumentCatalog } from '../instruments.js';
import { seriesKey, type LiveFeeds } from '../live-feeds.js';
import { cutBook, resolveDepth } from '../order-book.js';
import { callHelpers, type CallDeps } from './calls.js';

export interface MarketDataServiceDeps extends CallDeps {
  store: Store;
  feeds: LiveFeeds;
  catalog: InstrumentCatalog;
  clock: Clock;
}

export function createMarketDataService(deps: MarketDataServiceDeps): MarketDataServiceServer {
  const { store, feeds, catalog, limits, clock, metrics } = deps;
  const { refuse, answer, openStream } = callHelpers(deps);

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

  function listInstruments(call: ServerUnaryCall<ListInstrumentsRequest, ListInstrumentsResponse>, callback: sendUnaryData<ListInstrumentsResponse>): void {
    const listed = listCatalog(call.request, catalog.instruments, { hasFeatures: (ref) => feeds.hasFeatures(ref), hasLevels: (ref) => feeds.levels.get(ref) !== undefined });
    if (!listed.ok) return callback(refuse(listed.problem));
    callback(null, { instruments: listed.value });
  }

  function getOrderBook(call: ServerUnaryCall<GetOrderBookRequest, BookSnapshot>, callback: sendUnaryData<BookSnapshot>): void {
    const req = call.request;
    const problem = catalog.check(req);
    if (problem) return callback(refuse(problem));
    const depth = resolveDepth(req.depth);
    if (!depth.ok) return callback(refuse(depth.problem));
    const book = feeds.latestBook(req);
    if (!book) {
      return callback({ code: Status.NOT_FOUND, details: `no book snapshot of ${instrumentKey(req)} yet: the feature service publishes one a second` });
    }
    callback(null, cutBook(book, depth.value));
  }

  return { getCandles, watchCandles, getFeatures, watchFeatures, listInstruments, getOrderBook };
}
