import { describe, expect, it } from 'vitest';
import { channels, ResumeState, type ServerMessage } from '../src/index.js';

const CH = channels.candles('binance', 'spot', 'BTCUSDT', '1m');
const LV = channels.levels('binance', 'spot', 'BTCUSDT');

const subscribed = (channel: string, epoch: string, seq: number): ServerMessage => ({ type: 'subscribed', channel, epoch, seq });
const candle = (seq: number, snapshot = false): ServerMessage => ({
  type: 'candle', channel: CH.name, seq, snapshot, data: { close: 100 + seq } as never,
});

/** Feeds messages and returns the events passed on and requests sent in return. */
function feed(state: ResumeState, ...messages: ServerMessage[]) {
  const events: unknown[] = [];
  const sent: unknown[] = [];
  for (const m of messages) {
    const r = state.receive(m);
    events.push(...r.events);
    sent.push(...r.send);
  }
  return { events, sent, seqs: events.flatMap((e) => ('seq' in (e as object) && (e as { type: string }).type === 'candle' ? [(e as { seq: number }).seq] : [])) };
}

describe('ResumeState', () => {
  it('subscribes without since first, and subscribes on open only what it tracks', () => {
    const s = new ResumeState();
    expect(s.add(CH)).toEqual([]); // not connected yet
    expect(s.opened()).toEqual([{ op: 'subscribe', channel: CH.name }]);
    expect(s.add(LV)).toEqual([{ op: 'subscribe', channel: LV.name }]);
    expect(s.add(LV)).toEqual([]);
    expect(s.remove(LV.name)).toEqual([{ op: 'unsubscribe', channel: LV.name }]);
    expect(s.remove(LV.name)).toEqual([]);
  });

  it('after a reconnect in the same epoch resumes with since = the last seq received, and passes the replay on', () => {
    const s = new ResumeState();
    s.add(CH);
    s.opened();
    const first = feed(s, subscribed(CH.name, 'E1', 4), candle(4, true), candle(5), candle(6));
    expect(first.events[0]).toEqual({ type: 'subscribed', channel: CH.name, epoch: 'E1', seq: 4, resumed: false, epochChanged: false });
    expect(first.seqs).toEqual([4, 5, 6]);
    s.closed();
    expect(s.position(CH.name)).toEqual({ lastSeq: 6, epoch: 'E1' });
    expect(s.opened()).toEqual([{ op: 'subscribe', channel: CH.name, since: 6 }]);
    const second = feed(s, subscribed(CH.name, 'E1', 9), candle(7), candle(8), candle(9), candle(10));
    expect(second.events[0]).toEqual({ type: 'subscribed', channel: CH.name, epoch: 'E1', seq: 9, resumed: true, epochChanged: false });
    expect(second.seqs).toEqual([7, 8, 9, 10]);
    expect(second.sent).toEqual([]);
  });

  it('a resume that reaches another epoch drops what follows and subscribes again without since', () => {
    const s = new ResumeState();
    s.add(CH);
    s.opened();
    feed(s, subscribed(CH.name, 'E1', 0), candle(1), candle(2), candle(3));
    s.closed();
    expect(s.opened()).toEqual([{ op: 'subscribe', channel: CH.name, since: 3 }]);
    // Another numbering: whatever it sends for since=3 (its own 4, 5, a gap) means nothing here.
    const wrong = feed(s, subscribed(CH.name, 'E2', 5), candle(4), candle(5), { type: 'gap', channel: CH.name, from: 1, to: 5 }, candle(5, true));
    expect(wrong.events).toEqual([]);
    expect(wrong.sent).toEqual([{ op: 'subscribe', channel: CH.name }]);
    const right = feed(s, subscribed(CH.name, 'E2', 5), candle(5, true), candle(6));
    expect(right.events[0]).toEqual({ type: 'subscribed', channel: CH.name, epoch: 'E2', seq: 5, resumed: false, epochChanged: true });
    expect(right.seqs).toEqual([5, 6]);
    expect(s.position(CH.name)).toEqual({ lastSeq: 6, epoch: 'E2' });
  });

  it('says the epoch changed when the connection drops before the resubscribe is answered, even on the new epoch', () => {
    const s = new ResumeState();
    s.add(CH);
    s.opened();
    feed(s, subscribed(CH.name, 'E1', 0), candle(1));
    s.closed();
    s.opened();
    expect(feed(s, subscribed(CH.name, 'E2', 7)).sent).toEqual([{ op: 'subscribe', channel: CH.name }]);
    s.closed();
    // Nothing of E2 was passed on: the subscriber still holds E1's state.
    expect(s.position(CH.name)).toEqual({ lastSeq: undefined, epoch: 'E1' });
    expect(s.opened()).toEqual([{ op: 'subscribe', channel: CH.name }]);
    const again = feed(s, subscribed(CH.name, 'E2', 8), candle(8, true));
    expect(again.events[0]).toEqual({ type: 'subscribed', channel: CH.name, epoch: 'E2', seq: 8, resumed: false, epochChanged: true });
    expect(again.seqs).toEqual([8]);
  });

  it('drops what arrives before the answer to a subscribe: the tail of an earlier subscription of the channel', () => {
    const s = new ResumeState();
    s.add(CH);
    s.opened();
    feed(s, subscribed(CH.name, 'E1', 0), candle(1));
    s.remove(CH.name);
    expect(s.add(CH)).toEqual([{ op: 'subscribe', channel: CH.name }]);
    // Sent by the gateway before it read the unsubscribe.
    const tail = feed(s, candle(2), { type: 'gap', channel: CH.name, from: 3, to: 3 }, candle(4), { type: 'unsubscribed', channel: CH.name });
    expect(tail.events).toEqual([]);
    const fresh = feed(s, subscribed(CH.name, 'E1', 4), candle(4, true), candle(5));
    expect(fresh.events[0]).toMatchObject({ type: 'subscribed', resumed: false, epochChanged: false });
    expect(fresh.seqs).toEqual([4, 5]);
  });

  it('lists the tracked channels in the order added', () => {
    const s = new ResumeState();
    s.add(LV);
    s.add(CH);
    s.add(LV);
    expect(s.names()).toEqual([LV.name, CH.name]);
    s.remove(LV.name);
    expect(s.names()).toEqual([CH.name]);
  });

  it('a channel added on a connection whose epoch is known to differ subscribes without since', () => {
    const s = new ResumeState();
    s.add(CH);
    s.opened();
    feed(s, subscribed(CH.name, 'E1', 0), candle(1));
    s.closed();
    s.remove(CH.name);
    s.add(LV);
    s.opened();
    feed(s, subscribed(LV.name, 'E2', 0));
    // CH starts from nothing again: it was removed.
    expect(s.add(CH)).toEqual([{ op: 'subscribe', channel: CH.name }]);
  });

  it('passes a gateway gap on, reports numbers skipped live as a gap, and drops repeats', () => {
    const s = new ResumeState();
    s.add(CH);
    s.opened();
    feed(s, subscribed(CH.name, 'E1', 2));
    const r = feed(s, candle(3), candle(3), candle(2), candle(6));
    expect(r.seqs).toEqual([3, 6]);
    expect(r.events).toContainEqual({ type: 'gap', channel: CH.name, from: 4, to: 5 });
    s.closed();
    s.opened();
    const resumed = feed(s, subscribed(CH.name, 'E1', 900), { type: 'gap', channel: CH.name, from: 7, to: 900 }, candle(900, true));
    expect(resumed.events.map((e) => (e as { type: string }).type)).toEqual(['subscribed', 'gap', 'candle']);
    expect(s.position(CH.name)?.lastSeq).toBe(900);
  });

  it('ignores messages of channels it does not track and messages while disconnected', () => {
    const s = new ResumeState();
    expect(feed(s, candle(1), subscribed(CH.name, 'E1', 1)).events).toEqual([]);
    s.add(CH);
    expect(feed(s, candle(1)).events).toEqual([]); // not connected: phase idle
    s.opened();
    expect(feed(s, { type: 'error', channel: CH.name, message: 'no' }).events).toEqual([{ type: 'error', channel: CH.name, message: 'no' }]);
    expect(feed(s, { type: 'error', message: 'bad json' }, { type: 'pong' }).events).toEqual([]);
  });
});
