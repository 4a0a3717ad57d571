import { describe, expect, it } from 'vitest';
import { ChannelLog } from '../src/http/ws-replay.js';

const parse = (texts: string[]) => texts.map((t) => JSON.parse(t) as { type: string; seq: number; snapshot?: boolean; data: { n: number } });

/** A log of `count` updates whose data is {"n":seq}. */
function logWith(count: number, capacity = 4): ChannelLog {
  const log = new ChannelLog('candles:binance:spot:BTCUSDT:1m', capacity);
  for (let n = 1; n <= count; n++) log.record('candle', `{"n":${n}}`);
  return log;
}

describe('channel replay log', () => {
  it('numbers updates 1, 2, … and replays exactly what follows `since` while the ring holds it', () => {
    const log = logWith(6);
    expect(log.seq).toBe(6);
    const replay = log.resume(3);
    expect(replay.kind).toBe('replay');
    if (replay.kind === 'replay') expect(parse(replay.messages).map((m) => [m.seq, m.data.n])).toEqual([[4, 4], [5, 5], [6, 6]]);
    // The oldest still held: 3..6 with capacity 4, so since 2 is the furthest back that resumes.
    expect(log.resume(2)).toMatchObject({ kind: 'replay', messages: { length: 4 } });
    expect(log.resume(6)).toEqual({ kind: 'replay', messages: [] });
  });

  it('a `since` older than the ring is a gap up to the current seq', () => {
    expect(logWith(6).resume(1)).toEqual({ kind: 'gap', from: 2, to: 6 });
    expect(logWith(6).resume(0)).toEqual({ kind: 'gap', from: 1, to: 6 });
    expect(logWith(0).resume(0)).toEqual({ kind: 'replay', messages: [] });
  });

  it('a `since` ahead of the channel (another process) is a gap from 1', () => {
    expect(logWith(3).resume(9)).toEqual({ kind: 'gap', from: 1, to: 3 });
  });

  it('snapshots: the latest data of each type with the current seq, in the order last updated', () => {
    const log = new ChannelLog('features:binance:spot:BTCUSDT', 8);
    expect(log.snapshots()).toEqual([]);
    log.record('features', '{"n":1}');
    log.record('flow', '{"n":2}');
    log.record('features', '{"n":3}');
    expect(parse(log.snapshots())).toEqual([
      { type: 'flow', channel: 'features:binance:spot:BTCUSDT', seq: 3, snapshot: true, data: { n: 2 } },
      { type: 'features', channel: 'features:binance:spot:BTCUSDT', seq: 3, snapshot: true, data: { n: 3 } },
    ]);
  });

  it('after an unwatched stretch the snapshot is gone and the next number seen says whether anything was missed', () => {
    const log = logWith(3);
    log.forget();
    expect(log.snapshots()).toEqual([]);
    expect(log.resume(3)).toEqual({ kind: 'replay', messages: [] });
    log.record('candle', '{"n":6}', 6);
    expect(log.resume(3)).toEqual({ kind: 'gap', from: 4, to: 6 });
    expect(log.resume(5)).toMatchObject({ kind: 'replay', messages: [expect.stringContaining('"seq":6')] });
  });

  it('takes numbers from outside: a repeat is dropped, a skipped stretch cannot be resumed across', () => {
    const log = logWith(2, 8);
    expect(log.record('candle', '{"n":2}', 2)).toBeUndefined();
    expect(log.seq).toBe(2);
    expect(JSON.parse(log.record('candle', '{"n":5}', 5) ?? 'null')).toMatchObject({ seq: 5, data: { n: 5 } });
    expect(log.resume(2)).toEqual({ kind: 'gap', from: 3, to: 5 });
    expect(log.resume(4)).toMatchObject({ kind: 'replay', messages: { length: 1 } });
  });

  it('a seeded latest update sets the number and the snapshot without history', () => {
    const log = new ChannelLog('features:binance:spot:BTCUSDT', 8);
    log.seed('features', '{"n":7}', 7);
    log.seed('flow', '{"n":6}', 6);
    expect(log.seq).toBe(7);
    expect(log.resume(5)).toEqual({ kind: 'gap', from: 6, to: 7 });
    expect(parse(log.snapshots()).map((m) => [m.type, m.seq, m.data.n])).toEqual([['features', 7, 7], ['flow', 7, 6]]);
    // Something already recorded of a type is newer than a seed of it.
    log.record('flow', '{"n":8}', 8);
    log.seed('flow', '{"n":6}', 6);
    expect(parse(log.snapshots()).map((m) => m.data.n)).toEqual([7, 8]);
  });
});
