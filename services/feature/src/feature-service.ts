import {
  instrumentKey,
  type BookFeatures,
  type BookSnapshot,
  type BookUpdate,
  type Liquidation,
  type QualityEvent,
  type Trade,
} from '@pricelevel/contracts';
import { emptyBookSnapshot, takeBookSnapshot, RecentIds } from '@pricelevel/market';
import type { Bus, Clock, Logger, Store, Subscription, TimerHandle } from '@pricelevel/platform';
import { InstrumentFeatures, type FlowSettings, type InstrumentRef } from './instrument-features.js';
import { LiveBook } from './live-book.js';
import { FeatureWriter } from './feature-writer.js';

export interface FeatureServiceOptions {
  bus: Bus;
  store: Store;
  clock: Clock;
  logger: Logger;
  flow: FlowSettings;
  /** Extra wait for bus delivery before a second's order flow is closed. */
  busSlackMs: number;
  /** How often the clock is checked for second boundaries. */
  tickMs?: number;
  /** Consumer group on the md.* topics. */
  group?: string;
  /** Levels per side in a snapshot. */
  depth?: number;
}

export interface FeatureServiceStats {
  instruments: number;
  snapshots: number;
  resyncingSnapshots: number;
  bookFeatures: number;
  flows: number;
  trades: number;
  duplicateTrades: number;
  liquidations: number;
  /** Trades or liquidations whose second was already closed when they arrived (or too far ahead). */
  lateDropped: number;
  /** Book updates of an epoch the service holds no snapshot for. */
  ignoredBookUpdates: number;
  writeErrors: number;
}

interface Instrument {
  book: LiveBook;
  features: InstrumentFeatures;
  /** Snapshots whose second of order flow is not closed yet, oldest first. */
  pending: BookSnapshot[];
  lastSnapshotTs: number;
  ids: RecentIds;
}

const SECOND_MS = 1000;

/**
 * Book + trades + liquidations → once-per-second snapshots, book features and order flow
 * (`feat.snapshot.v1`, `feat.book.v1`, `feat.flow.v1`) → bus and store.
 *
 * At each second boundary T of its clock the service snapshots every instrument's book and computes the
 * book features at once; the order flow of [T − 1 s, T) is closed at T + lateness + bus slack, when that
 * second's trades have arrived. Liquidations are stored here as they arrive: the recompute reads them back.
 */
export class FeatureService {
  private readonly instruments = new Map<string, Instrument>();
  private readonly writer: FeatureWriter;
  private readonly subs: Subscription[] = [];
  private timer: TimerHandle | undefined;
  private readonly st = { snapshots: 0, resyncingSnapshots: 0, bookFeatures: 0, flows: 0, trades: 0, duplicateTrades: 0, liquidations: 0 };
  private readonly log: Logger;
  private readonly depth: number;
  private lastBoundary = 0;

  constructor(private readonly o: FeatureServiceOptions) {
    this.log = o.logger.child({ component: 'feature' });
    this.depth = o.depth ?? 100;
    this.writer = new FeatureWriter({ bus: o.bus, store: o.store, logger: this.log });
  }

  async start(): Promise<void> {
    const group = this.o.group ?? 'feature';
    this.subs.push(
      await this.o.bus.subscribe({ topic: 'md.book.v1', group, fromBeginning: true }, async (b) => {
        for (const d of b) this.onBook(d.value);
      }),
      await this.o.bus.subscribe({ topic: 'md.quality.v1', group, fromBeginning: true }, async (b) => {
        for (const d of b) this.onQuality(d.value);
      }),
      await this.o.bus.subscribe({ topic: 'md.trade.v1', group, fromBeginning: true }, async (b) => {
        for (const d of b) this.onTrade(d.value);
      }),
      await this.o.bus.subscribe({ topic: 'md.liquidation.v1', group, fromBeginning: true }, (b) =>
        this.onLiquidations(b.map((d) => d.value)),
      ),
    );
    this.timer = this.o.clock.setInterval(() => {
      this.tick();
      void this.writer.flush().catch(() => undefined); // logged and counted inside; retried next tick
    }, this.o.tickMs ?? 100);
    this.log.info({ intervals: this.o.flow.intervals, latenessMs: this.o.flow.latenessMs }, 'feature service started');
  }

  async stop(): Promise<void> {
    this.timer?.cancel();
    for (const s of this.subs.splice(0)) await s.close();
    await this.writer.flush().catch(() => undefined);
    this.log.info(this.stats(), 'feature service stopped');
  }

  onBook(u: BookUpdate): void {
    this.instrument(u).book.apply(u);
  }

  onQuality(e: QualityEvent): void {
    if (!e.symbol) return; // a whole connection: its books report their own gaps
    this.instruments.get(instrumentKey(e))?.book.onQuality(e);
  }

  onTrade(t: Trade): void {
    const inst = this.instrument(t);
    if (!inst.ids.add(t.tradeId)) {
      this.st.duplicateTrades++; // a redelivery: the store keeps one row per id, so must the flow
      return;
    }
    this.st.trades++;
    inst.features.addTrade(t);
  }

  /** Stored before they are folded, so a failed write is redelivered by the bus. */
  async onLiquidations(ls: readonly Liquidation[]): Promise<void> {
    await this.o.store.insertLiquidations(ls);
    for (const l of ls) this.instrument(l).features.addLiquidation(l);
    this.st.liquidations += ls.length;
  }

  /** Takes the snapshots of a new second boundary and closes every second whose trades are in. */
  tick(): void {
    const now = this.o.clock.now();
    const boundary = Math.floor(now / SECOND_MS) * SECOND_MS;
    if (boundary > this.lastBoundary) {
      this.lastBoundary = boundary;
      for (const inst of this.instruments.values()) this.snapshot(inst, boundary);
    }
    const closeBefore = now - this.o.flow.latenessMs - this.o.busSlackMs;
    for (const inst of this.instruments.values()) {
      while (inst.pending.length > 0 && inst.pending[0]!.ts <= closeBefore) {
        const flows = inst.features.closeSecond(inst.pending.shift()!);
        this.st.flows += flows.length;
        this.writer.addFlows(flows);
      }
    }
  }

  stats(): FeatureServiceStats {
    let lateDropped = 0;
    let ignoredBookUpdates = 0;
    for (const inst of this.instruments.values()) {
      const d = inst.features.dropped;
      lateDropped += d.lateTrades + d.lateLiquidations;
      ignoredBookUpdates += inst.book.ignoredUpdates;
    }
    return { ...this.st, instruments: this.instruments.size, lateDropped, ignoredBookUpdates, writeErrors: this.writer.errors };
  }

  /** Flushes pending writes (tests and shutdown). */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  private snapshot(inst: Instrument, ts: number): void {
    if (ts <= inst.lastSnapshotTs) return;
    inst.lastSnapshotTs = ts;
    const { book } = inst;
    const meta = {
      ...inst.features.ref,
      ts,
      resyncing: book.resyncing,
      bookEpoch: book.bookEpoch,
      lastUpdateId: book.lastUpdateId,
      bookTs: book.bookTs,
    };
    const snap: BookSnapshot = book.hasBook ? takeBookSnapshot(book.book, meta, this.depth) : emptyBookSnapshot(meta);
    const features: BookFeatures = inst.features.bookFeatures(snap);
    inst.pending.push(snap);
    this.st.snapshots++;
    if (snap.resyncing) this.st.resyncingSnapshots++;
    this.st.bookFeatures++;
    this.writer.addSecond(snap, features);
  }

  private instrument(ref: InstrumentRef): Instrument {
    const key = instrumentKey(ref);
    let inst = this.instruments.get(key);
    if (!inst) {
      const id = { exchange: ref.exchange, market: ref.market, symbol: ref.symbol };
      inst = {
        book: new LiveBook(),
        features: new InstrumentFeatures(id, this.o.flow),
        pending: [],
        // Its first snapshot is the next boundary: this second's began before the instrument was known.
        lastSnapshotTs: Math.floor(this.o.clock.now() / SECOND_MS) * SECOND_MS,
        ids: new RecentIds(100_000),
      };
      this.instruments.set(key, inst);
    }
    return inst;
  }
}

