import { QualityKind, type BookUpdate, type QualityEvent } from '@pricelevel/contracts';
import { describe, expect, it } from 'vitest';
import { BybitBookSync } from '../src/exchanges/bybit/book-sync.js';
import { BybitParser, type BookMessage } from '../src/exchanges/bybit/parsers.js';
import { groupTopics, MAX_ARGS_CHARS_PER_CONNECTION, subscribeRequests } from '../src/exchanges/bybit/bybit-ws.js';
import { bybitTopics } from '../src/exchanges/bybit/symbols.js';
import { fixtureLines } from './helpers/fixtures.js';

const FILE = 'orderbook/bybit_linear_XRPUSDT_orderbook500_2024-12-01.real.jsonl';
const lines = fixtureLines(FILE);
const parser = new BybitParser('perp', [['XRPUSDT', 'XRPUSDT']]);
const messages = (): BookMessage[] =>
  lines.map((l, i) => {
    const e = parser.parse(l, 1000 + i);
    if (e.kind !== 'book') throw new Error('expected book');
    return e.book;
  });

/** The book the raw frames describe, built from the decimal strings alone (independent of the sync). */
function referenceBook(upTo: number): { bids: [number, number][]; asks: [number, number][] } {
  const bids = new Map<string, string>();
  const asks = new Map<string, string>();
  for (const line of lines.slice(0, upTo)) {
    const m = JSON.parse(line) as { type: string; data: { b: [string, string][]; a: [string, string][] } };
    if (m.type === 'snapshot') {
      bids.clear();
      asks.clear();
    }
    for (const [side, levels] of [[bids, m.data.b], [asks, m.data.a]] as const) {
      for (const [p, q] of levels) {
        if (Number(q) === 0) side.delete(p);
        else side.set(p, q);
      }
    }
  }
  const sorted = (m: Map<string, string>, desc: boolean) => [...m].map(([p, q]) => [Number(p), Number(q)] as [number, number]).sort((a, b) => (desc ? b[0] - a[0] : a[0] - b[0]));
  return { bids: sorted(bids, true), asks: sorted(asks, false) };
}

function harness() {
  const books: BookUpdate[] = [];
  const quality: QualityEvent[] = [];
  const resubscribes: string[] = [];
  const sync = new BybitBookSync('perp', 'XRPUSDT', { book: (u) => books.push(u), quality: (q) => quality.push(q), resubscribe: (s) => resubscribes.push(s) });
  sync.subscribed(0);
  return { sync, books, quality, resubscribes };
}

describe('BybitBookSync on the real XRPUSDT orderbook.500 sequence', () => {
  it('snapshot + 49 deltas (u +1 each) give exactly the book the frames describe', () => {
    const { sync, books, quality } = harness();
    const msgs = messages();
    for (const m of msgs) sync.onMessage(m);
    expect(sync.state).toBe('synced');
    expect(sync.lastUpdateId).toBe(msgs[msgs.length - 1]!.u);
    expect(sync.book.snapshot()).toEqual(referenceBook(lines.length));
    expect(quality).toEqual([]);
    expect(books).toHaveLength(50);
    expect(books[0]).toMatchObject({ exchange: 'bybit', snapshot: true, firstUpdateId: 20254869, lastUpdateId: 20254869, bookEpoch: 1, exchangeTs: 1733011200589 });
    expect(books[1]).toMatchObject({ snapshot: false, firstUpdateId: 20254870, prevUpdateId: 20254869, bookEpoch: 1 });
    expect(sync.counters).toMatchObject({ snapshots: 1, applied: 49, gaps: 0 });
  });

  it('a missing delta is a gap: book discarded, SEQUENCE_GAP, resubscribe; the next snapshot brings RESYNC and a new epoch', () => {
    const { sync, books, quality, resubscribes } = harness();
    const msgs = messages();
    for (const m of msgs.slice(0, 10)) sync.onMessage(m);
    sync.onMessage(msgs[11]!); // u jumps by 2
    expect(sync.state).toBe('awaiting-snapshot');
    expect(resubscribes).toEqual(['XRPUSDT']);
    expect(quality).toEqual([expect.objectContaining({ kind: QualityKind.QUALITY_KIND_SEQUENCE_GAP, expectedId: msgs[10]!.u, receivedId: msgs[11]!.u, bookEpoch: 2 })]);
    expect(sync.book.snapshot()).toEqual({ bids: [], asks: [] });
    // Deltas of the old subscription still in flight are ignored until the snapshot.
    sync.onMessage(msgs[12]!);
    expect(sync.counters.ignoredBeforeSnapshot).toBe(1);
    // The venue's fresh snapshot (here: the reference book at message 20, re-issued as a snapshot).
    const ref = referenceBook(21);
    const snap: BookMessage = { ...msgs[20]!, type: 'snapshot', bids: ref.bids.map(([price, size]) => ({ price, size })), asks: ref.asks.map(([price, size]) => ({ price, size })) };
    sync.onMessage(snap);
    for (const m of msgs.slice(21)) sync.onMessage(m);
    expect(sync.book.snapshot()).toEqual(referenceBook(lines.length));
    expect(quality.map((q) => q.kind)).toEqual([QualityKind.QUALITY_KIND_SEQUENCE_GAP, QualityKind.QUALITY_KIND_RESYNC]);
    expect(books.filter((b) => b.snapshot).map((b) => b.bookEpoch)).toEqual([1, 2]);
    expect(sync.epoch).toBe(2);
  });

  it('a duplicate is ignored; u=1 (service restart) replaces the book as a new epoch without a gap', () => {
    const { sync, quality } = harness();
    const msgs = messages();
    for (const m of msgs.slice(0, 5)) sync.onMessage(m);
    sync.onMessage(msgs[4]!);
    expect(sync.counters.duplicates).toBe(1);
    sync.onMessage({ ...msgs[0]!, u: 1 }); // the restart snapshot
    expect(sync.lastUpdateId).toBe(1);
    expect(sync.epoch).toBe(2);
    expect(quality).toEqual([expect.objectContaining({ kind: QualityKind.QUALITY_KIND_RESYNC, receivedId: 1, detail: expect.stringContaining('u=1') })]);
    sync.onMessage({ ...msgs[1]!, u: 2 });
    expect(sync.counters).toMatchObject({ venueResets: 1, gaps: 0 });
    expect(sync.book.snapshot()).toEqual(referenceBook(2));
  });

  it('a delta that crosses the book is treated as a break', () => {
    const { sync, quality, resubscribes } = harness();
    const msgs = messages();
    sync.onMessage(msgs[0]!);
    sync.onMessage({ ...msgs[1]!, bids: [{ price: 5, size: 1 }], asks: [] });
    expect(quality[0]).toMatchObject({ kind: QualityKind.QUALITY_KIND_SEQUENCE_GAP, detail: expect.stringContaining('crossed') });
    expect(resubscribes).toHaveLength(1);
  });

  it('a connection reset voids the book; the new subscription snapshot announces RESYNC', () => {
    const { sync, quality } = harness();
    const msgs = messages();
    sync.onMessage(msgs[0]!);
    sync.reset();
    expect(sync.state).toBe('idle');
    sync.subscribed(5);
    sync.onMessage(msgs[0]!);
    expect(quality.map((q) => q.kind)).toEqual([QualityKind.QUALITY_KIND_RESYNC]);
    expect(sync.epoch).toBe(2);
  });
});

describe('Bybit subscribe batching', () => {
  it('≤ 10 args per request, every topic once, req_id set', () => {
    const topics = Array.from({ length: 23 }, (_, i) => `publicTrade.SYM${i}USDT`);
    const reqs = subscribeRequests('subscribe', topics, (i) => `r${i}`).map((r) => JSON.parse(r) as { req_id: string; op: string; args: string[] });
    expect(reqs.map((r) => r.args.length)).toEqual([10, 10, 3]);
    expect(reqs.flatMap((r) => r.args)).toEqual(topics);
    expect(reqs.map((r) => [r.req_id, r.op])).toEqual([['r0', 'subscribe'], ['r1', 'subscribe'], ['r2', 'subscribe']]);
  });

  it('connections stay within 21,000 args characters and keep an instrument on one connection', () => {
    const per = Array.from({ length: 600 }, (_, i) => bybitTopics(`COIN${i}USDT`, 'perp', 50));
    const groups = groupTopics(per);
    expect(groups.length).toBeGreaterThan(1);
    for (const g of groups) expect(g.reduce((n, t) => n + t.length, 0)).toBeLessThanOrEqual(MAX_ARGS_CHARS_PER_CONNECTION);
    expect(groups.flat()).toEqual(per.flat());
    for (const g of groups) expect(g.length % 4).toBe(0);
  });
});
