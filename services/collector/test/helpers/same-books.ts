import { expect } from 'vitest';
import type { ExchangeAdapter } from '../../src/index.js';
import { waitFor } from './fake-binance.js';

/** What the book comparison needs of a venue simulator. */
export interface PausableBookSource {
  pause(): void;
  resume(): void;
  /** The simulator's book of a symbol and the venue sequence id it stands at. */
  view(symbol: string): { seq: number; bids: [number, number][]; asks: [number, number][] };
}

/**
 * Pauses the market, waits until the adapter applied everything sent, and compares the adapter's book
 * with the simulator's for every symbol. A pause can cost the connection (e.g. a missed heartbeat):
 * then the market runs again until the books resync, and the comparison is retried.
 */
export async function expectSameBooks(
  sim: PausableBookSource,
  adapter: Pick<ExchangeAdapter, 'book'>,
  symbols: readonly string[],
  label = '',
  catchUpMs = 400,
): Promise<void> {
  const caughtUp = () => symbols.every((s) => adapter.book(s)?.synced && adapter.book(s)!.lastUpdateId === sim.view(s).seq);
  for (let attempt = 0; ; attempt++) {
    sim.pause();
    try {
      await waitFor(caughtUp, 'adapter caught up with the paused simulator', catchUpMs);
      break;
    } catch (err) {
      sim.resume();
      if (attempt >= 10) throw err;
      await waitFor(() => symbols.every((s) => adapter.book(s)?.synced), 'resync while the market runs again');
    }
  }
  for (const s of symbols) {
    const v = sim.view(s);
    expect(adapter.book(s)!.book.snapshot(), `${label} ${s}`.trim()).toEqual({ bids: v.bids, asks: v.asks });
  }
  sim.resume();
}
