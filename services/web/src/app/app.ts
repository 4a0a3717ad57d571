import type { GatewayApi } from './api.js';
import { applyLiveCandle, forgetVersions, INTERVAL_MS, mergeCandles, readCandle, type ChartCandle } from './candles.js';
import { FeaturesPanel } from './features-panel.js';
import { obj, type Json } from './json-fields.js';
import { levelSetView, type Zone } from './level-zones.js';
import { PriceChart } from './price-chart.js';
import { addQualityEvent, qualityFromHistory, qualityMarkers, type QualityByCandle } from './quality-markers.js';
import {
  chartChannels, choices, readInstruments, resolveSelection, selectionFromQuery, type ChartChannels, type InstrumentRow, type Selection,
} from './selection.js';
import { otherTheme, PALETTES, THEME_STORAGE_KEY, type Theme } from './theme.js';
import { WsClient, type WsEvent } from './ws-client.js';

const PAGE = 500;
const FEATURE_HISTORY = 300;

export interface AppOptions {
  api: GatewayApi;
  wsUrl: string;
  theme: Theme;
  query: URLSearchParams;
}

/**
 * The page: pickers, the price chart and the features panel, kept current from the WebSocket. History
 * comes over HTTP on every selection, on scroll-back and after a gap; live updates from the channels.
 */
export class App {
  private readonly api: GatewayApi;
  private readonly ws: WsClient;
  private theme: Theme;
  private chart!: PriceChart;
  private panel!: FeaturesPanel;
  private instruments: InstrumentRow[] = [];
  private sel: Selection | undefined;
  /** The channels of `sel`. */
  private watched: ChartChannels | undefined;
  /** Bumped on every selection: answers for an earlier one are dropped. */
  private generation = 0;
  private candles: ChartCandle[] = [];
  private zones: Zone[] = [];
  private levelVersion = -1;
  private qualityHistory: QualityByCandle = new Map();
  private qualityLive: QualityByCandle = new Map();
  private markerCount = 0;
  private loadingOlder = false;
  private noOlder = false;
  private ready = false;
  private counters = { liveCandles: 0, gaps: 0, epochChanges: 0, historyPages: 0, errors: 0 };

  constructor(private readonly options: AppOptions) {
    this.api = options.api;
    this.theme = options.theme;
    this.ws = new WsClient(options.wsUrl, {
      message: (e) => this.onMessage(e),
      status: (up) => this.showConnection(up),
    });
  }

  async start(): Promise<void> {
    this.exposeTestState();
    document.documentElement.dataset.theme = this.theme;
    this.chart = new PriceChart(byId('chart'), PALETTES[this.theme]);
    this.panel = new FeaturesPanel(byId('features'), PALETTES[this.theme]);
    this.chart.onNearLeftEdge(10, () => void this.loadOlder());
    byId('theme').addEventListener('click', () => this.setTheme(otherTheme(this.theme)));
    for (const id of ['exchange', 'market', 'symbol'] as const) {
      byId<HTMLSelectElement>(id).addEventListener('change', () => this.onPick(id));
    }
    this.ws.start();
    for (let attempt = 0; ; attempt++) {
      try {
        this.instruments = readInstruments(await this.api.listInstruments());
        break;
      } catch (err) {
        this.status(`cannot list instruments (${describe(err)}); retrying`);
        await sleep(Math.min(1000 * 2 ** attempt, 10_000));
      }
    }
    const sel = resolveSelection(this.instruments, selectionFromQuery(this.options.query));
    if (!sel) return this.status('this gateway collects no instruments');
    this.select(sel);
  }

  private select(sel: Selection): void {
    if (this.watched) for (const c of Object.values(this.watched)) this.ws.unwatch(c);
    this.sel = sel;
    this.watched = chartChannels(sel);
    const gen = ++this.generation;
    this.candles = [];
    this.zones = [];
    this.levelVersion = -1;
    this.qualityHistory = new Map();
    this.qualityLive = new Map();
    this.noOlder = false;
    this.loadingOlder = false;
    this.ready = false;
    this.chart.setCandles([]);
    this.chart.setZones([]);
    this.refreshMarkers();
    this.panel.setHistory([], []);
    this.renderPickers();
    const q = new URLSearchParams(this.options.query);
    for (const [k, v] of Object.entries(sel)) q.set(k, v);
    history.replaceState(null, '', `?${q.toString()}`);
    for (const c of Object.values(this.watched)) this.ws.watch(c);
    this.status('');
    // Levels come with the levels channel's snapshot (the current set), and then every new version.
    void Promise.all([
      this.loadRecentCandles(gen, true),
      this.loadFeatures(gen),
    ]).then(() => {
      if (gen === this.generation) this.ready = true;
    });
  }

  private onPick(changed: 'exchange' | 'market' | 'symbol'): void {
    if (!this.sel) return;
    const wanted: Partial<Selection> = { ...this.sel, [changed]: byId<HTMLSelectElement>(changed).value };
    const next = resolveSelection(this.instruments, wanted);
    if (next) this.select(next);
  }

  private pickInterval(interval: string): void {
    if (this.sel && interval !== this.sel.interval) this.select({ ...this.sel, interval });
  }

  /** The newest page of candles, merged with what is held (live updates may have arrived first). */
  private async loadRecentCandles(gen: number, scrollToEnd: boolean): Promise<void> {
    try {
      await this.loadCandlePage(gen, 0);
      if (gen === this.generation && scrollToEnd) this.chart.showLatest(this.candles.length, 150);
    } catch (err) {
      if (gen === this.generation) this.status(`candles: ${describe(err)}`);
    }
  }

  /** Scroll-back: the page of candles before the oldest held. */
  private async loadOlder(): Promise<void> {
    const oldest = this.candles[0];
    if (!this.sel || !oldest || this.loadingOlder || this.noOlder || !this.ready) return;
    const gen = this.generation;
    this.loadingOlder = true;
    try {
      if ((await this.loadCandlePage(gen, oldest.openTime)) === 0) this.noOlder = true;
    } catch (err) {
      if (gen === this.generation) this.status(`older candles: ${describe(err)}`);
    } finally {
      if (gen === this.generation) this.loadingOlder = false;
    }
  }

  /**
   * One page of candles before `toTs` (0 = now) from both sources, the pricelevel-built candles and the
   * venue's backfilled klines (the longer history), merged into what is held; how many arrived.
   */
  private async loadCandlePage(gen: number, toTs: number): Promise<number> {
    const sel = this.sel!;
    const req = { ...instrumentOf(sel), interval: sel.interval, toTs, limit: PAGE };
    const pages = await Promise.all([this.api.getCandles({ ...req, source: 'trades' }), this.api.getCandles({ ...req, source: 'exchange' })]);
    if (gen !== this.generation) return 0;
    this.counters.historyPages++;
    let count = 0;
    for (const page of pages) {
      count += page.candles.length;
      this.candles = mergeCandles(this.candles, page.candles.map(readCandle));
      for (const [t, q] of qualityFromHistory(page.quality)) this.qualityHistory.set(t, q);
    }
    if (count > 0) this.chart.setCandles(this.candles);
    this.refreshMarkers();
    return count;
  }

  private async loadFeatures(gen: number): Promise<void> {
    try {
      const res = await this.api.getFeatures({ ...instrumentOf(this.sel!), limit: FEATURE_HISTORY });
      if (gen === this.generation) this.panel.setHistory(res.book, res.flow);
    } catch (err) {
      if (gen === this.generation) this.status(`features: ${describe(err)}`);
    }
  }

  private showLevels(set: Json): void {
    const view = levelSetView(set);
    if (view.version < this.levelVersion) return;
    this.levelVersion = view.version;
    this.zones = view.zones;
    this.chart.setZones(this.zones);
  }

  private onMessage(e: WsEvent): void {
    const { sel, watched } = this;
    if (e.type === 'error') {
      this.counters.errors++;
      this.status(`${e.channel ? `${e.channel}: ` : ''}${e.message}`);
      return;
    }
    if (!sel || !watched) return;
    const data = 'data' in e ? obj(e.data) : undefined;
    if (e.channel === watched.candles.name) {
      if (e.type === 'subscribed') {
        if (e.epochChanged) this.onEpochChanged();
      } else if (e.type === 'gap') {
        this.counters.gaps++;
        void this.loadRecentCandles(this.generation, false);
      } else if (e.type === 'candle' && data) {
        this.counters.liveCandles++;
        const c = readCandle(data);
        const done = applyLiveCandle(this.candles, c);
        if (done === 'last') this.chart.updateLast(c);
        else if (done === 'all') this.chart.setCandles(this.candles);
        if (done !== 'ignored' && this.qualityLive.size + this.qualityHistory.size > 0) this.refreshMarkers();
      }
    } else if (e.channel === watched.levels.name) {
      if (e.type === 'gap') this.counters.gaps++;
      else if (e.type === 'levels' && data) this.showLevels(data);
    } else if (e.channel === watched.features.name) {
      if (e.type === 'gap') this.counters.gaps++;
      else if ((e.type === 'features' || e.type === 'flow') && data) this.panel.push(e.type, data);
    } else if (e.channel === watched.quality.name) {
      if (e.type === 'quality' && data && addQualityEvent(this.qualityLive, data, INTERVAL_MS[sel.interval] ?? 60_000)) this.refreshMarkers();
    }
  }

  /** The gateway restarted without its numbers: held candle versions no longer compare, and the gap is refetched. */
  private onEpochChanged(): void {
    this.counters.epochChanges++;
    forgetVersions(this.candles);
    void this.loadRecentCandles(this.generation, false);
  }

  private refreshMarkers(): void {
    const markers = qualityMarkers(this.qualityHistory, this.qualityLive, new Set(this.candles.map((c) => c.openTime)));
    this.markerCount = markers.length;
    this.chart.setMarkers(markers);
  }

  private setTheme(theme: Theme): void {
    this.theme = theme;
    document.documentElement.dataset.theme = theme;
    try {
      localStorage.setItem(THEME_STORAGE_KEY, theme);
    } catch {
      // not remembered when storage is disabled
    }
    this.chart.applyPalette(PALETTES[theme]);
    this.chart.setCandles(this.candles);
    this.refreshMarkers();
    this.panel.applyPalette(PALETTES[theme]);
  }

  private renderPickers(): void {
    const sel = this.sel!;
    const c = choices(this.instruments, sel);
    fill(byId('exchange'), c.exchanges, sel.exchange);
    fill(byId('market'), c.markets, sel.market);
    fill(byId('symbol'), c.symbols, sel.symbol);
    const box = byId('intervals');
    box.replaceChildren(
      ...c.intervals.map((iv) => {
        const b = document.createElement('button');
        b.type = 'button';
        b.textContent = iv;
        b.dataset.interval = iv;
        b.setAttribute('aria-pressed', String(iv === sel.interval));
        b.addEventListener('click', () => this.pickInterval(iv));
        return b;
      }),
    );
  }

  private showConnection(up: boolean): void {
    const el = byId('connection');
    el.dataset.state = up ? 'live' : 'down';
    el.title = up ? 'live' : 'reconnecting…';
    el.textContent = up ? 'live' : 'reconnecting';
  }

  private status(text: string): void {
    byId('status').textContent = text;
  }

  /**
   * `window.__pricelevel`: a read-only view of what the page shows, for the browser test and for debugging,
   * computed on each read:
   *   ready            the history of the current selection has loaded (candles, levels, features)
   *   selection        {exchange, market, symbol, interval}
   *   candles, oldestOpenTime, lastCandle {openTime, close, version}
   *   zones, levelVersion   level zones drawn, and the version of their level set (-1: none yet)
   *   qualityMarkers, featurePoints   markers on candles; points of the fullest feature chart
   *   seq              the last seq of each watched channel; epoch: that of the candle channel
   *   connected, connections   the WebSocket is open; connections opened so far
   *   liveCandles, gaps, epochChanges, historyPages, errors   counters since the page loaded
   *   theme            "dark" | "light"
   */
  private exposeTestState(): void {
    Object.defineProperty(window, '__pricelevel', {
      configurable: true,
      get: () => {
        const last = this.candles.at(-1);
        const sel = this.sel;
        return {
          ready: this.ready,
          selection: sel ? { ...sel } : null,
          candles: this.candles.length,
          oldestOpenTime: this.candles[0]?.openTime ?? null,
          lastCandle: last ? { openTime: last.openTime, close: last.close, version: last.version } : null,
          zones: this.zones.length,
          levelVersion: this.levelVersion,
          qualityMarkers: this.markerCount,
          featurePoints: this.panel?.pointCount() ?? 0,
          seq: this.ws.seqs(),
          epoch: this.watched ? (this.ws.epochOf(this.watched.candles.name) ?? null) : null,
          connected: this.ws.connected,
          connections: this.ws.opens,
          theme: this.theme,
          ...this.counters,
        };
      },
    });
  }
}

function instrumentOf(s: Selection) {
  return { exchange: s.exchange, market: s.market, symbol: s.symbol };
}

function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
}

function fill(select: HTMLElement, values: string[], selected: string): void {
  (select as HTMLSelectElement).replaceChildren(
    ...values.map((v) => {
      const o = document.createElement('option');
      o.value = v;
      o.textContent = v;
      o.selected = v === selected;
      return o;
    }),
  );
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
