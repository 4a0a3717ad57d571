import { credentials, status as Status } from '@grpc/grpc-js';
import { EvaluateLevelsRequest, type EvaluateLevelsResponse, LevelServiceClient } from '@pricelevel/contracts';

import { detectLevels, evaluateLevels, rollUpBars, TIMEFRAME_MS, type Bar, type TimeframeBars, DEFAULT_HISTORY_DAYS, withDetectorHistory } from '@pricelevel/levels';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { evaluationOptions, evaluationResponse, type EvaluationPlan } from '../src/level-evaluation.js';
import { BTC, ETH, type Harness, startGateway } from './support/fixtures.js';
import { BAD_INSTRUMENT_CASES, expectStoreFailureStatuses, statusOf, unary } from './support/grpc-calls.js';
import { barCandles, realBtcBars } from './support/real-bars.js';

const DAY = 86_400_000;
const FROM = Date.UTC(2021, 0, 1);
const TO = Date.UTC(2021, 2, 1);
/** Hourly candles built from trades from here on; venue klines before. */
const TRADES_FROM = Date.UTC(2021, 1, 1);

const d1 = realBtcBars('1d');
const h1 = realBtcBars('1h');
const within = (bars: readonly Bar[], from: number, to: number) => bars.filter((b) => b.openTime >= from && b.openTime < to);
/** Real BTCUSDT: daily venue klines; hourly venue klines then candles built from trades; no 4h stored at all. */
const STORED = [
  ...barCandles(BTC, '1d', within(d1, 0, TO + 30 * DAY), 'exchange'),
  ...barCandles(BTC, '1h', within(h1, TO - 800 * DAY, TRADES_FROM), 'exchange'),
  ...barCandles(BTC, '1h', within(h1, TRADES_FROM, TO + 30 * DAY), 'trades'),
];

let h: Harness;
let client: LevelServiceClient;

beforeEach(async () => {
  h = await startGateway({ evaluationConcurrency: 1 });
  client = new LevelServiceClient(`127.0.0.1:${h.grpcPort}`, credentials.createInsecure());
  await h.store.insertCandles(STORED);
});

afterEach(async () => {
  vi.restoreAllMocks();
  client.close();
  await h.gateway.stop();
});

const evaluate = (patch: Partial<EvaluateLevelsRequest>, deadlineMs?: number): Promise<EvaluateLevelsResponse> =>
  unary(client.evaluateLevels.bind(client), EvaluateLevelsRequest.fromPartial({ ...BTC, interval: '1d', fromTs: FROM, toTs: TO, ...patch }), deadlineMs);

/**
 * The evaluation computed here, in-process, from the CSV bars themselves: the windows the live detector
 * reads (5 years of 1d, a year of 4h rolled up from 1h, 90 days of 1h) before `to`, plus the range.
 */
function expectedEvaluation(plan: EvaluationPlan): EvaluateLevelsResponse {
  const rangeDays = Math.ceil((plan.toTs - plan.fromTs) / DAY);
  const since = (days: number) => plan.toTs - (rangeDays + days) * DAY;
  const closed = (bars: readonly Bar[], tf: keyof typeof TIMEFRAME_MS) => bars.filter((b) => b.openTime + TIMEFRAME_MS[tf] <= plan.toTs);
  const bars: TimeframeBars = {
    d1: closed(within(d1, since(DEFAULT_HISTORY_DAYS.d1), plan.toTs), '1d'),
    h4: closed(rollUpBars(within(h1, since(DEFAULT_HISTORY_DAYS.h4), plan.toTs), TIMEFRAME_MS['1h'], TIMEFRAME_MS['4h']), '4h'),
    h1: closed(within(h1, since(DEFAULT_HISTORY_DAYS.h1), plan.toTs), '1h'),
  };
  return evaluationResponse(evaluateLevels(evaluationOptions(plan, bars), (b) => detectLevels(withDetectorHistory(b, DEFAULT_HISTORY_DAYS))));
}

describe('EvaluateLevels', () => {
  it('walks the stored real candles forward (venue klines, then built candles, 4h rolled up from 1h) and answers deterministically', async () => {
    const res = await evaluate({});
    const plan: EvaluationPlan = { ...BTC, interval: '1d', fromTs: FROM, toTs: TO, randomDraws: 200 };
    expect(res).toEqual(expectedEvaluation(plan));
    // Plausible: a daily step per day of January and February 2021 but the last ten (no full 10-day horizon after them).
    expect(res.steps).toBe(59 - 10);
    expect(res.touches).toBeGreaterThan(0);
    expect(res.randomTouches).toBeGreaterThan(0);
    for (const rate of [res.bounceRate, res.randomBounceRate, res.roundBounceRate]) {
      expect(rate).toBeGreaterThanOrEqual(0);
      expect(rate).toBeLessThanOrEqual(1);
    }
    expect(res.lift).toBeCloseTo(res.bounceRate / res.randomBounceRate, 12);
    expect(res.liftCiLow).toBeLessThanOrEqual(res.liftCiHigh);
    expect(res.byScoreDecile.reduce((n, b) => n + b.touches, 0)).toBe(res.touches);
    expect(res.byAge.reduce((n, b) => n + b.touches, 0)).toBe(res.touches);
    expect(await evaluate({})).toEqual(res);
    expect(h.gateway.metrics()).toMatchObject({ evaluations: 2, evaluationsStopped: 0 });
  });

  it('steps through 4h bars with more random draws', async () => {
    const from = Date.UTC(2021, 1, 1);
    const res = await evaluate({ interval: '4h', fromTs: from, randomDraws: 300 });
    expect(res).toEqual(expectedEvaluation({ ...BTC, interval: '4h', fromTs: from, toTs: TO, randomDraws: 300 }));
    expect(res.steps).toBe(28 - 5); // one step a day (6 bars), none in the last five days (the 30-bar horizon)
  });

  it('refuses a second evaluation while one runs, and takes one again once it is done', async () => {
    let release!: () => void;
    h.store.queryGate = new Promise<void>((r) => (release = r));
    const first = evaluate({});
    await vi.waitFor(() => expect(h.store.queries.length).toBeGreaterThan(0));
    const busy = await statusOf(evaluate({ interval: '4h' }));
    expect(Status[busy.code]).toBe('RESOURCE_EXHAUSTED');
    expect(busy.details).toMatch(/already running an evaluation/);
    release();
    h.store.queryGate = undefined;
    expect((await first).steps).toBe(49);
    expect((await evaluate({})).steps).toBe(49);
    expect(h.gateway.metrics()).toMatchObject({ evaluations: 2, evaluationsRefusedBusy: 1 });
  });

  it('a call that is gone by the time its candles are read is not evaluated, and frees its slot', async () => {
    let release!: () => void;
    h.store.queryGate = new Promise<void>((r) => (release = r));
    const st = await statusOf(evaluate({}, 100));
    expect(Status[st.code]).toBe('DEADLINE_EXCEEDED');
    release();
    h.store.queryGate = undefined;
    await vi.waitFor(() => expect(h.gateway.metrics().evaluationsStopped).toBe(1));
    expect((await evaluate({})).steps).toBe(49);
    expect(h.gateway.metrics()).toMatchObject({ evaluations: 1, evaluationsStopped: 1 });
  });

  it('FAILED_PRECONDITION when the store has no candles to evaluate', async () => {
    const none = await statusOf(evaluate(ETH));
    expect(Status[none.code]).toBe('FAILED_PRECONDITION');
    expect(none.details).toMatch(/no daily candles stored for binance:spot:ETHUSDT/);
    const later = await statusOf(evaluate({ fromTs: Date.UTC(2023, 0, 1), toTs: Date.UTC(2023, 6, 1) }));
    expect(Status[later.code]).toBe('FAILED_PRECONDITION');
    expect(later.details).toMatch(/no 1d candles of binance:spot:BTCUSDT close in \[from_ts, to_ts\)/);
  });

  it('store down → UNAVAILABLE; store bug → INTERNAL; the slot is freed either way', async () => {
    await expectStoreFailureStatuses(() => evaluate({}), (err) => vi.spyOn(h.store, 'queryCandles').mockRejectedValueOnce(err));
    expect((await evaluate({})).steps).toBe(49);
  });

  it.each<[string, Partial<EvaluateLevelsRequest>, Status, RegExp]>([
    ...BAD_INSTRUMENT_CASES,
    ['empty interval', { interval: '' }, Status.INVALID_ARGUMENT, /interval "" is unknown: one of 1d, 4h, 1h/],
    ['candle interval not evaluated', { interval: '1m' }, Status.INVALID_ARGUMENT, /interval "1m" is unknown/],
    ['from after to', { fromTs: TO, toTs: FROM }, Status.INVALID_ARGUMENT, /from_ts .* must be before to_ts/],
    ['empty range', { fromTs: FROM, toTs: FROM }, Status.INVALID_ARGUMENT, /from_ts .* must be before to_ts/],
    ['from after now (to 0)', { fromTs: Date.UTC(2030, 0, 1), toTs: 0 }, Status.INVALID_ARGUMENT, /must be before to_ts/],
    ['more than six years', { fromTs: Date.UTC(2015, 0, 1), toTs: Date.UTC(2021, 1, 1) }, Status.INVALID_ARGUMENT, /exceeds the maximum .* \(6 years\)/],
    ['negative from', { fromTs: -1 }, Status.INVALID_ARGUMENT, /from_ts must be a non-negative/],
    ['microseconds', { toTs: TO * 1000 }, Status.INVALID_ARGUMENT, /beyond year 9999/],
    ['too few random draws', { randomDraws: 50 }, Status.INVALID_ARGUMENT, /random_draws must be 0 \(= 200\) or in 200\.\.2000, got 50/],
    ['too many random draws', { randomDraws: 2001 }, Status.INVALID_ARGUMENT, /random_draws .* got 2001/],
    ['negative random draws', { randomDraws: -1 }, Status.INVALID_ARGUMENT, /random_draws .* got -1/],
    ['bad args before not found', { symbol: 'SOLUSDT', randomDraws: 1 }, Status.INVALID_ARGUMENT, /random_draws/],
  ])('%s → %s', async (_name, patch, code, details) => {
    const st = await statusOf(evaluate(patch));
    expect(Status[st.code]).toBe(Status[code]);
    expect(st.details).toMatch(details);
    expect(h.store.queries).toEqual([]);
    expect(h.gateway.metrics().rejectedRequests).toBe(1);
  });
});
