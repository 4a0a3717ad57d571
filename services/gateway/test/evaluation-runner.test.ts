import { status as Status } from '@grpc/grpc-js';
import { DEFAULT_HISTORY_DAYS } from '@pricelevel/levels';
import { rollUpBars, TIMEFRAME_MS } from '@pricelevel/levels';
import { ManualClock } from '@pricelevel/platform';
import { afterEach, describe, expect, it } from 'vitest';
import { EvaluationFailed, EvaluationRunner } from '../src/evaluation-runner.js';
import type { EvaluationJob } from '../src/evaluation-worker.js';
import { CallError } from '../src/grpc/calls.js';
import { realBtcBars } from './support/real-bars.js';

const h1 = realBtcBars('1h');
/** Hourly steps over four years of real BTCUSDT with 2000 random draws: minutes of CPU, never finished here. */
const LONG_JOB: EvaluationJob = {
  options: {
    bars: { d1: realBtcBars('1d'), h4: rollUpBars(h1, TIMEFRAME_MS['1h'], TIMEFRAME_MS['4h']), h1 },
    interval: '1h', fromTs: Date.UTC(2018, 0, 1), toTs: Date.UTC(2022, 0, 1), stepBars: 1, horizonBars: 120, bounceMultiple: 1, randomDraws: 2000, seed: 1,
  },
  history: DEFAULT_HISTORY_DAYS,
};

let runner: EvaluationRunner | undefined;
afterEach(async () => {
  await runner?.stopAll();
});

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(() => new Error('expected a rejection'), (err: unknown) => err);
}

describe('EvaluationRunner', () => {
  it('hands out `concurrency` slots; a released slot can be taken again', () => {
    runner = new EvaluationRunner({ concurrency: 2, timeoutMs: 1000, clock: new ManualClock() });
    const a = runner.acquire();
    const b = runner.acquire();
    expect([a, b].every((r) => typeof r === 'function')).toBe(true);
    expect(runner.acquire()).toBeUndefined();
    a!();
    a!(); // twice is harmless: it frees one slot
    expect(runner.acquire()).toBeDefined();
    expect(runner.acquire()).toBeUndefined();
  });

  it('stops a worker that outlives the timeout of its clock: DEADLINE_EXCEEDED', async () => {
    const clock = new ManualClock();
    runner = new EvaluationRunner({ concurrency: 1, timeoutMs: 60_000, clock });
    const running = runner.run(LONG_JOB, new AbortController().signal);
    clock.advance(60_000);
    const err = await rejection(running);
    expect(err).toBeInstanceOf(CallError);
    expect((err as CallError).status).toMatchObject({ code: Status.DEADLINE_EXCEEDED, details: expect.stringMatching(/longer than 60000 ms/) });
  });

  it('stops on cancellation (CANCELLED) and on shutdown (UNAVAILABLE)', async () => {
    runner = new EvaluationRunner({ concurrency: 2, timeoutMs: 60_000, clock: new ManualClock() });
    const abort = new AbortController();
    const cancelled = rejection(runner.run(LONG_JOB, abort.signal));
    const other = rejection(runner.run(LONG_JOB, new AbortController().signal));
    abort.abort();
    expect((await cancelled as CallError).status.code).toBe(Status.CANCELLED);
    await runner.stopAll();
    expect((await other as CallError).status.code).toBe(Status.UNAVAILABLE);

    const gone = new AbortController();
    gone.abort();
    expect((await rejection(runner.run(LONG_JOB, gone.signal)) as CallError).status.code).toBe(Status.CANCELLED);
  });

  it('reports an evaluation that throws as EvaluationFailed, with its message', async () => {
    runner = new EvaluationRunner({ concurrency: 1, timeoutMs: 60_000, clock: new ManualClock() });
    const err = await rejection(runner.run({ ...LONG_JOB, options: { ...LONG_JOB.options, randomDraws: 5 } }, new AbortController().signal));
    expect(err).toBeInstanceOf(EvaluationFailed);
    expect((err as Error).message).toMatch(/randomDraws must be an integer ≥ 200/);
  });
});
