import { QualityKind, type QualityEvent, type TopicMessage, type TopicName } from '@pricelevel/contracts';
import { ManualClock, type Logger } from '@pricelevel/platform';
import { describe, expect, it } from 'vitest';
import { Counters } from '../src/exchanges/counters.js';
import { QualityReporter } from '../src/exchanges/quality-reporter.js';

function setup(options: { throttleMs?: number; gapMessage?: string } = {}) {
  const clock = new ManualClock(10_000);
  const counters = new Counters();
  const pushed: { topic: TopicName; key: string; value: unknown }[] = [];
  const warnings: { obj: object | string; msg: string | undefined }[] = [];
  const logger: Logger = {
    error: () => {},
    warn: (obj, msg) => void warnings.push({ obj, msg }),
    info: () => {},
    debug: () => {},
    child: () => logger,
  };
  const reporter = new QualityReporter({
    exchange: 'bybit',
    market: 'perp',
    symbols: ['BTCUSDT', 'ETHUSDT'],
    clock,
    logger,
    counters,
    publisher: { push: <T extends TopicName>(topic: T, key: string, value: TopicMessage<T>) => void pushed.push({ topic, key, value }) },
    epochOf: (symbol) => (symbol === 'BTCUSDT' ? 7 : 0),
    ...options,
  });
  const events = () => pushed.filter((p) => p.topic === 'md.quality.v1').map((p) => ({ key: p.key, q: p.value as QualityEvent }));
  return { clock, counters, pushed, warnings, reporter, events };
}

describe('QualityReporter', () => {
  it('builds events with the venue, the book epoch of the symbol and the clock time', () => {
    const { clock, reporter } = setup();
    clock.advance(5);
    expect(reporter.quality('BTCUSDT', QualityKind.QUALITY_KIND_MALFORMED, 'bad')).toEqual({
      exchange: 'bybit', market: 'perp', symbol: 'BTCUSDT', kind: QualityKind.QUALITY_KIND_MALFORMED,
      bookEpoch: 7, expectedId: 0, receivedId: 0, detail: 'bad', ts: 10_005,
    });
    // Venue-wide events carry no epoch.
    expect(reporter.quality('', QualityKind.QUALITY_KIND_STALE, 'x').bookEpoch).toBe(0);
  });

  it('folds repeated (kind, symbol) drops within the window and reports the folded count next', () => {
    const { clock, counters, reporter, events } = setup({ throttleMs: 1000 });
    expect(reporter.report('BTCUSDT', QualityKind.QUALITY_KIND_MALFORMED, 'first')).toBe(true);
    clock.advance(100);
    expect(reporter.report('BTCUSDT', QualityKind.QUALITY_KIND_MALFORMED, 'second')).toBe(false);
    clock.advance(100);
    expect(reporter.report('BTCUSDT', QualityKind.QUALITY_KIND_MALFORMED, 'third')).toBe(false);
    // Another symbol and another kind have windows of their own.
    expect(reporter.report('ETHUSDT', QualityKind.QUALITY_KIND_MALFORMED, 'eth')).toBe(true);
    expect(reporter.report('BTCUSDT', QualityKind.QUALITY_KIND_UNKNOWN_SYMBOL, 'unknown')).toBe(true);
    clock.advance(800);
    expect(reporter.report('BTCUSDT', QualityKind.QUALITY_KIND_MALFORMED, 'fourth')).toBe(true);
    clock.advance(1000);
    expect(reporter.report('BTCUSDT', QualityKind.QUALITY_KIND_MALFORMED, 'fifth')).toBe(true);

    expect(events().map((e) => e.q.detail)).toEqual([
      'first', 'eth', 'unknown', 'fourth (+2 more since the last report)', 'fifth',
    ]);
    expect(counters.get('qualityFolded')).toBe(2);
    expect(counters.get('qualityEvents')).toBe(5);
  });

  it('always publishes sequence gaps, resyncs and events flagged always, logging gaps with the venue wording', () => {
    const { counters, warnings, reporter, events } = setup({ throttleMs: 60_000, gapMessage: 'book sequence gap: resubscribing' });
    for (let i = 0; i < 3; i++) {
      const gap: QualityEvent = { ...reporter.quality('BTCUSDT', QualityKind.QUALITY_KIND_SEQUENCE_GAP, `gap ${i}`), expectedId: 10 + i, receivedId: 20 + i };
      expect(reporter.emitQuality(gap)).toBe(true);
      expect(reporter.report('BTCUSDT', QualityKind.QUALITY_KIND_RESYNC, `resync ${i}`)).toBe(true);
      expect(reporter.report('', QualityKind.QUALITY_KIND_RECONNECT, `reconnect ${i}`, true)).toBe(true);
    }
    expect(events()).toHaveLength(9);
    expect(counters.get('qualityFolded')).toBe(0);
    expect(warnings).toHaveLength(3);
    expect(warnings[2]).toEqual({ obj: { symbol: 'BTCUSDT', expected: 12, received: 22, detail: 'gap 2' }, msg: 'book sequence gap: resubscribing' });
  });

  it('defaults the gap wording and keys events and data by instrument', () => {
    const { warnings, reporter, pushed, events } = setup();
    reporter.report('BTCUSDT', QualityKind.QUALITY_KIND_SEQUENCE_GAP, 'gap');
    reporter.report('', QualityKind.QUALITY_KIND_STALE, 'silent');
    reporter.emit('md.trade.v1', 'ETHUSDT', {} as TopicMessage<'md.trade.v1'>);
    reporter.emit('md.trade.v1', 'SOLUSDT', {} as TopicMessage<'md.trade.v1'>);
    expect(warnings[0]?.msg).toBe('sequence gap');
    expect(events().map((e) => e.key)).toEqual(['bybit:perp:BTCUSDT', 'bybit:perp:']);
    expect(pushed.filter((p) => p.topic === 'md.trade.v1').map((p) => p.key)).toEqual(['bybit:perp:ETHUSDT', 'bybit:perp:SOLUSDT']);
  });
});
