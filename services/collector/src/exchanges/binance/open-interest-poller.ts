import type { Ticker } from '@pricelevel/contracts';
import type { Clock, Logger, TimerHandle } from '@pricelevel/platform';
import { AbortedError } from './weight-limiter.js';

export interface OpenInterestPollerOptions {
  symbols: string[];
  /** Wanted time between two polls of one symbol. */
  intervalMs: number;
  /** Request weight per minute this poller may use at most (it is stretched beyond intervalMs to fit). */
  maxWeightPerMinute: number;
  fetch(symbol: string, signal: AbortSignal): Promise<Ticker>;
  onTicker(ticker: Ticker): void;
  onError?(symbol: string, err: unknown): void;
  clock: Clock;
  logger: Logger;
}

/**
 * Open interest exists only over REST on Binance: poll each symbol in turn, spreading the polls
 * evenly over the interval, which is stretched when the symbol count would exceed the weight
 * share (1 weight per poll). Polls run one at a time, so a slow venue slows the poller instead of
 * piling requests up.
 */
export class OpenInterestPoller {
  private timer: TimerHandle | undefined;
  private controller = new AbortController();
  private running = false;
  private next = 0;
  readonly effectiveIntervalMs: number;
  readonly stats = { polls: 0, errors: 0 };

  constructor(private readonly options: OpenInterestPollerOptions) {
    if (options.symbols.length === 0) throw new Error('open interest poller needs symbols');
    const minInterval = Math.ceil((options.symbols.length * 60_000) / Math.max(1, options.maxWeightPerMinute));
    this.effectiveIntervalMs = Math.max(options.intervalMs, minInterval);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.controller = new AbortController();
    this.schedule(0);
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
    this.controller.abort();
  }

  private schedule(delay: number): void {
    if (!this.running) return;
    this.timer = this.options.clock.setTimeout(() => void this.pollOne(), delay);
  }

  private async pollOne(): Promise<void> {
    const symbols = this.options.symbols;
    const symbol = symbols[this.next % symbols.length]!;
    this.next++;
    const started = this.options.clock.now();
    try {
      const ticker = await this.options.fetch(symbol, this.controller.signal);
      this.stats.polls++;
      if (this.running) this.options.onTicker(ticker);
    } catch (err) {
      if (err instanceof AbortedError || !this.running) return;
      this.stats.errors++;
      this.options.logger.warn({ symbol, err: String(err) }, 'open interest poll failed');
      this.options.onError?.(symbol, err);
    }
    const step = this.effectiveIntervalMs / symbols.length;
    this.schedule(Math.max(0, step - (this.options.clock.now() - started)));
  }
}
