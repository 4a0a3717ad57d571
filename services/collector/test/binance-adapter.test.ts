import { Completeness, QualityKind, Side, type QualityEvent } from '@pricelevel/contracts';
import { silentLogger, systemClock } from '@pricelevel/platform';
import { afterEach, describe, expect, it } from 'vitest';
import { BinanceAdapter, type BinanceAdapterOptions } from '../src/exchanges/binance/binance-adapter.js';
import { FakeBinance, waitFor } from './helpers/fake-binance.js';
import { RecordingBus } from './helpers/recording-bus.js';

let fake: FakeBinance | undefined;
let adapter: BinanceAdapter | undefined;
afterEach(async () => {
  await adapter?.stop();
  await fake?.close();
  adapter = undefined;
  fake = undefined;
});

async function setup(market: 'spot' | 'perp', extra: Partial<BinanceAdapterOptions> = {}) {
  const symbols = ['BTCUSDT', 'ETHUSDT'];
  fake = await FakeBinance.start({ market, symbols });
  const bus = new RecordingBus();
  adapter = new BinanceAdapter({
    symbols: symbols.map((s) => s.toLowerCase()),
    market,
    urls: { wsUrl: fake.wsUrl, restUrl: fake.restUrl },
    bus,
    clock: systemClock,
    logger: silentLogger,
    random: () => 0.5,
    backoff: { initialMs: 20, maxMs: 200 },
    staleMs: 60_000,
    snapshotRetryMs: 20,
    openInterestIntervalMs: 0,
    ...extra,
  });
  await adapter.start();
  await waitFor(() => fake!.openConnections() === 1 && adapter!.stats().connected, 'connection');
  return { fake, adapter, bus };
}

/** Keeps the fake market moving until both of the adapter's books equal the venue's. */
async function converge(f: FakeBinance, a: BinanceAdapter, symbols = ['BTCUSDT', 'ETHUSDT']): Promise<void> {
  await waitFor(() => {
    const done = symbols.every((s) => a.book(s)?.synced && a.book(s)!.lastUpdateId === f.book(s).lastUpdateId);
    if (!done && symbols.some((s) => !a.book(s)?.synced)) f.step();
    return done;
  }, 'books in sync');
  for (const s of symbols) expect(a.book(s)!.book.snapshot()).toEqual(f.book(s).levels());
}

const qualityOf = (bus: RecordingBus, kind: QualityKind, symbol?: string): QualityEvent[] =>
  bus.of('md.quality.v1').map((m) => m.value).filter((q) => q.kind === kind && (symbol === undefined || q.symbol === symbol));

describe('BinanceAdapter (perp) against an in-test venue', () => {
  it('publishes trades, tickers, liquidations and books keyed by instrument', async () => {
    const { fake, adapter, bus } = await setup('perp');
    fake.step(3);
    await converge(fake, adapter);
    fake.step(5);
    await converge(fake, adapter);
    fake.broadcast({
      stream: 'btcusdt@forceOrder',
      data: { e: 'forceOrder', E: 1, o: { s: 'BTCUSDT', S: 'SELL', o: 'LIMIT', f: 'IOC', q: '0.5', p: '99', ap: '99.5', X: 'FILLED', l: '0.5', z: '0.5', T: 2 } },
    });
    await waitFor(() => bus.of('md.liquidation.v1').length === 1, 'liquidation');
    await adapter.flush();

    const trades = bus.of('md.trade.v1');
    expect(trades.length).toBeGreaterThanOrEqual(16);
    expect(trades[0]!.key).toMatch(/^binance:perp:(BTC|ETH)USDT$/);
    const t = trades.find((m) => m.value.symbol === 'BTCUSDT')!.value;
    expect(t).toMatchObject({ exchange: 'binance', market: 'perp', tradeCount: 2 });
    expect([Side.SIDE_BUY, Side.SIDE_SELL]).toContain(t.side);
    const tickers = bus.of('md.ticker.v1');
    expect(tickers.some((m) => m.key === 'binance:perp:ETHUSDT' && m.value.markPrice === 200.25 && m.value.fundingRate === 0.0001)).toBe(true);
    expect(bus.of('md.liquidation.v1')[0]).toMatchObject({ key: 'binance:perp:BTCUSDT', value: { completeness: Completeness.COMPLETENESS_SAMPLED, price: 99.5 } });

    const books = bus.of('md.book.v1').filter((m) => m.key === 'binance:perp:BTCUSDT').map((m) => m.value);
    expect(books[0]!.snapshot).toBe(true);
    for (let i = 2; i < books.length; i++) expect(books[i]!.prevUpdateId).toBe(books[i - 1]!.lastUpdateId);
    expect(bus.of('md.quality.v1')).toEqual([]);
    const c = adapter.stats().counters;
    expect(c.malformed ?? 0).toBe(0);
    expect(c['book.gaps']).toBe(0);
    expect(c.trades).toBe(trades.length);
  });

  it('a dropped diff resyncs that symbol only; the other keeps flowing without a quality event', async () => {
    const { fake, adapter, bus } = await setup('perp');
    fake.step(2);
    await converge(fake, adapter);
    const epoch = adapter.book('BTCUSDT')!.epoch;
    const ethEpoch = adapter.book('ETHUSDT')!.epoch;
    const ethBefore = bus.of('md.book.v1').filter((m) => m.value.symbol === 'ETHUSDT').length;
    fake.dropNextDiff('BTCUSDT');
    fake.step(2);
    await waitFor(() => qualityOf(bus, QualityKind.QUALITY_KIND_RESYNC, 'BTCUSDT').length === 1, 'resync');
    fake.step(2);
    await converge(fake, adapter);
    const [gap] = qualityOf(bus, QualityKind.QUALITY_KIND_SEQUENCE_GAP, 'BTCUSDT');
    expect(gap).toBeDefined();
    expect(gap!.expectedId).not.toBe(gap!.receivedId);
    expect(adapter.book('BTCUSDT')!.epoch).toBe(epoch + 1);
    expect(adapter.book('ETHUSDT')!.epoch).toBe(ethEpoch);
    expect(qualityOf(bus, QualityKind.QUALITY_KIND_SEQUENCE_GAP, 'ETHUSDT')).toEqual([]);
    expect(bus.of('md.book.v1').filter((m) => m.value.symbol === 'ETHUSDT').length).toBeGreaterThan(ethBefore + 3);
    const rebuilt = bus.of('md.book.v1').filter((m) => m.value.symbol === 'BTCUSDT' && m.value.bookEpoch === epoch + 1);
    expect(rebuilt[0]!.value.snapshot).toBe(true);
  });

  it('on reconnect: a RECONNECT event, every book resyncs with a new epoch', async () => {
    const { fake, adapter, bus } = await setup('perp');
    fake.step(2);
    await converge(fake, adapter);
    const epochs = ['BTCUSDT', 'ETHUSDT'].map((s) => adapter.book(s)!.epoch);
    fake.dropConnections();
    await waitFor(() => qualityOf(bus, QualityKind.QUALITY_KIND_RECONNECT).length === 1 && fake!.openConnections() === 1, 'reconnect');
    fake.step(2);
    await converge(fake, adapter);
    expect(['BTCUSDT', 'ETHUSDT'].map((s) => adapter.book(s)!.epoch)).toEqual(epochs.map((e) => e + 1));
    expect(qualityOf(bus, QualityKind.QUALITY_KIND_RESYNC).map((q) => q.symbol).sort()).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect(qualityOf(bus, QualityKind.QUALITY_KIND_RECONNECT)[0]!.symbol).toBe('');
    expect(adapter.stats().counters.reconnects).toBe(1);
  });

  it('counts and reports malformed frames and unknown symbols without stopping', async () => {
    const { fake, adapter, bus } = await setup('perp', { qualityThrottleMs: 60_000 });
    fake.broadcast('{"stream":"btcusdt@aggTrade","data":{');
    fake.broadcast('{"stream":"btcusdt@aggTrade","data":{');
    fake.broadcast({ stream: 'xrpusdt@aggTrade', data: { e: 'aggTrade', E: 1, s: 'XRPUSDT', a: 1, p: '1', q: '1', f: 1, l: 1, T: 1, m: true } });
    fake.broadcast({ stream: 'btcusdt@kline_1m', data: { e: 'kline', E: 1, s: 'BTCUSDT' } });
    fake.step(2);
    await converge(fake, adapter);
    await adapter.flush();
    const c = adapter.stats().counters;
    expect(c.malformed).toBe(2);
    expect(c.unknownSymbol).toBe(1);
    expect(c.unknownEvent).toBe(1);
    expect(c.qualityFolded).toBe(1); // second malformed within the throttle window
    expect(qualityOf(bus, QualityKind.QUALITY_KIND_MALFORMED)).toHaveLength(2); // malformed + unknown event
    expect(qualityOf(bus, QualityKind.QUALITY_KIND_UNKNOWN_SYMBOL)[0]!.detail).toMatch(/XRPUSDT/);
  });

  it('retries failed snapshots and reconnects on a serverShutdown notice', async () => {
    const { fake, adapter, bus } = await setup('perp');
    let failures = 3;
    fake.restOverride = (path) => (path.endsWith('/depth') && failures-- > 0 ? { status: 503, body: '{"code":-1001,"msg":"Internal error"}' } : undefined);
    fake.step(2);
    await converge(fake, adapter);
    expect(adapter.stats().counters.snapshotFailures).toBeGreaterThanOrEqual(3);
    fake.broadcast({ e: 'serverShutdown', E: 1 });
    await waitFor(() => qualityOf(bus, QualityKind.QUALITY_KIND_RECONNECT).length === 1, 'reconnect after shutdown notice');
    expect(adapter.stats().counters.serverShutdowns).toBe(1);
  });

  it('polls open interest into tickers', async () => {
    const { fake, adapter, bus } = await setup('perp', { openInterestIntervalMs: 50 });
    fake.step();
    await waitFor(() => new Set(bus.of('md.ticker.v1').filter((m) => m.value.openInterest !== undefined).map((m) => m.key)).size === 2, 'open interest of both symbols');
    expect(fake.restCalls.some((c) => c.startsWith('/fapi/v1/openInterest?symbol=ETHUSDT'))).toBe(true);
    expect(adapter.stats().counters.openInterest).toBeGreaterThanOrEqual(2);
  });

  it('keeps publishing after a bus failure, counting the lost batch', async () => {
    const { fake, adapter, bus } = await setup('perp');
    bus.failNext = 1;
    fake.step(2);
    await converge(fake, adapter);
    await adapter.flush();
    expect(adapter.stats().counters.publishErrors).toBeGreaterThan(0);
    fake.step(1);
    await waitFor(() => bus.of('md.trade.v1').length > 0, 'later publishes');
  });
});

describe('BinanceAdapter (spot)', () => {
  it('syncs over SUBSCRIBE frames and publishes spot books and trades', async () => {
    const { fake, adapter, bus } = await setup('spot', { subscribeMode: 'frames' });
    await waitFor(() => fake.subscribeFrames.length === 1, 'subscribe');
    expect(fake.subscriptions[0]).toEqual(['btcusdt@aggTrade', 'btcusdt@depth@100ms', 'ethusdt@aggTrade', 'ethusdt@depth@100ms']);
    fake.step(3);
    await converge(fake, adapter);
    await adapter.flush();
    expect(bus.of('md.trade.v1')[0]!.key).toMatch(/^binance:spot:/);
    const books = bus.of('md.book.v1').filter((m) => m.value.symbol === 'ETHUSDT').map((m) => m.value);
    for (let i = 2; i < books.length; i++) expect(books[i]!.firstUpdateId).toBe(books[i - 1]!.lastUpdateId + 1);
    expect(adapter.stats().counters.responses).toBe(1);
    expect(fake.restCalls.every((c) => c.startsWith('/api/v3/depth?symbol='))).toBe(true);
  });
});

describe('BinanceAdapter construction', () => {
  const base = { market: 'spot' as const, urls: { wsUrl: 'ws://127.0.0.1:1', restUrl: 'http://127.0.0.1:1' }, bus: new RecordingBus(), clock: systemClock, logger: silentLogger };
  it('rejects bad arguments clearly', () => {
    expect(() => new BinanceAdapter({ ...base, symbols: [] })).toThrow(/at least one symbol/);
    expect(() => new BinanceAdapter({ ...base, symbols: ['BTC USDT'] })).toThrow(/invalid Binance symbol/);
    expect(() => new BinanceAdapter({ ...base, symbols: ['BTCUSDT'], market: 'swap' as 'spot' })).toThrow(/unknown Binance market/);
    expect(() => new BinanceAdapter({ ...base, symbols: ['BTCUSDT'], urls: { wsUrl: 'stream.binance.com', restUrl: 'x' } })).toThrow(/urls.wsUrl/);
  });

  it('splits symbols across connections to respect the stream limit', () => {
    const a = new BinanceAdapter({ ...base, market: 'perp', symbols: Array.from({ length: 300 }, (_, i) => `S${i}USDT`) });
    // 4 streams per perp symbol, 1024 per connection ⇒ 256 symbols per connection.
    expect(a.stats().books['S299USDT']).toEqual({ synced: false, lastUpdateId: 0, epoch: 1 });
    expect((a as unknown as { connections: unknown[] }).connections).toHaveLength(2);
    expect(a.book('s0usdt')?.symbol).toBe('S0USDT');
    expect(a.book('NOPE')).toBeUndefined();
  });
});
