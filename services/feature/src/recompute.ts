import type { BookFeatures, BookSnapshot, Liquidation, OrderFlow, Trade } from '@pricelevel/contracts';
import { MAX_QUERY_LIMIT, type Store } from '@pricelevel/platform';
import { InstrumentFeatures, type FlowSettings, type InstrumentRef } from './instrument-features.js';

export interface RecomputeOptions {
  store: Store;
  ref: InstrumentRef;
  flow: FlowSettings;
  /** The live service's bus slack: a trade received after its second's close never reached the live flow. */
  busSlackMs: number;
  /** ms inclusive: first snapshot ts */
  fromTs: number;
  /** ms exclusive */
  toTs: number;
  /** Store reads per time page. */
  pageMs?: number;
  /** Receives each page's output, in order. */
  onPage(page: RecomputedPage): void | Promise<void>;
}

export interface RecomputedPage {
  fromTs: number;
  toTs: number;
  features: BookFeatures[];
  flows: OrderFlow[];
}

const SECOND_MS = 1000;

/**
 * Replays stored history through the same per-instrument pipeline the live service runs: for every
 * stored snapshot, in order, its book features, then the trades and liquidations of the second it ends
 * and the second's order flow. The live service made the same calls with the same inputs, so the
 * results equal what it produced. Inputs the collector received after a second's close time are left
 * out as the live service left them out; the one exception is an input delayed on the bus past the
 * close although received in time (the live service counted and dropped it; here it counts).
 */
export async function recomputeFeatures(o: RecomputeOptions): Promise<{ seconds: number; flows: number }> {
  const pageMs = o.pageMs ?? 3_600_000;
  const inst = new InstrumentFeatures(o.ref, o.flow);
  let seconds = 0;
  let flowCount = 0;
  for (let a = o.fromTs; a < o.toTs; a += pageMs) {
    const b = Math.min(a + pageMs, o.toTs);
    const range = { ...o.ref, fromTs: a, toTs: b, limit: MAX_QUERY_LIMIT };
    // A snapshot at ts closes the second [ts − 1 s, ts): its trades start one second before the page.
    const inputs = { ...o.ref, fromTs: a - SECOND_MS, toTs: b - SECOND_MS, limit: MAX_QUERY_LIMIT };
    const [snapshots, trades, liquidations] = await Promise.all([
      o.store.queryBookSnapshots(range),
      o.store.queryTrades(inputs),
      o.store.queryLiquidations(inputs),
    ]);
    const page = replayPage(inst, snapshots, trades, liquidations, o.flow.latenessMs + o.busSlackMs);
    seconds += page.features.length;
    flowCount += page.flows.length;
    await o.onPage({ fromTs: a, toTs: b, ...page });
  }
  return { seconds, flows: flowCount };
}

/** Feeds one page of stored inputs through the pipeline; inputs are sorted by time as the store returns them. */
export function replayPage(
  inst: InstrumentFeatures,
  snapshots: readonly BookSnapshot[],
  trades: readonly Trade[],
  liquidations: readonly Liquidation[],
  closeDelayMs: number,
): { features: BookFeatures[]; flows: OrderFlow[] } {
  const features: BookFeatures[] = [];
  const flows: OrderFlow[] = [];
  let t = 0;
  let l = 0;
  for (const snap of snapshots) {
    const secondStart = snap.ts - SECOND_MS;
    // Inputs of seconds without a snapshot were never closed live either: skip them.
    while (t < trades.length && trades[t]!.exchangeTs < secondStart) t++;
    while (l < liquidations.length && liquidations[l]!.exchangeTs < secondStart) l++;
    // The live service closed this second at ts + closeDelay: what the collector received later never
    // reached it (it counted and dropped those), so it stays out here too.
    const closedAt = snap.ts + closeDelayMs;
    for (; t < trades.length && trades[t]!.exchangeTs < snap.ts; t++) {
      if (trades[t]!.receivedTs <= closedAt) inst.addTrade(trades[t]!);
    }
    for (; l < liquidations.length && liquidations[l]!.exchangeTs < snap.ts; l++) {
      if (liquidations[l]!.receivedTs <= closedAt) inst.addLiquidation(liquidations[l]!);
    }
    features.push(inst.bookFeatures(snap));
    for (const f of inst.closeSecond(snap)) flows.push(f);
  }
  return { features, flows };
}
