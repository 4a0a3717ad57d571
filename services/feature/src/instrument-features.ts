import type { BookFeatures, BookSnapshot, Liquidation, OrderFlow, Trade } from '@pricelevel/contracts';
import { liquidationCompleteness } from '@pricelevel/contracts';
import { BookFeatureCalculator, OrderFlowEngine } from '@pricelevel/market';

export interface InstrumentRef {
  exchange: string;
  market: string;
  symbol: string;
}

export interface FlowSettings {
  intervals: readonly string[];
  latenessMs: number;
}

/**
 * The per-instrument feature pipeline, the same for the live service and the recompute: every
 * snapshot goes through the book-feature calculator when it is taken, and closes its second of order
 * flow once that second's trades are in. Given the same snapshots, trades and liquidations, the two
 * calls produce the same values wherever and whenever they run.
 */
export class InstrumentFeatures {
  private readonly calc = new BookFeatureCalculator();
  private readonly flow: OrderFlowEngine;

  constructor(readonly ref: InstrumentRef, settings: FlowSettings) {
    this.flow = new OrderFlowEngine({
      ...ref,
      intervals: [...settings.intervals],
      latenessMs: settings.latenessMs,
      liquidationCompleteness: liquidationCompleteness(ref.exchange, ref.market),
    });
  }

  bookFeatures(snapshot: BookSnapshot): BookFeatures {
    return this.calc.next(snapshot);
  }

  addTrade(t: Trade): boolean {
    return this.flow.addTrade(t);
  }

  addLiquidation(l: Liquidation): boolean {
    return this.flow.addLiquidation(l);
  }

  /** Closes the second ending at `snapshot.ts`: its 1 s flow first, then every candle bucket ending there. */
  closeSecond(snapshot: BookSnapshot): OrderFlow[] {
    return this.flow.closeSecond(snapshot);
  }

  get dropped(): { lateTrades: number; lateLiquidations: number } {
    return this.flow.dropped;
  }
}
