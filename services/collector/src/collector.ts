import type { Logger } from '@pricelevel/platform';
import type { BackfillHandle } from './backfill/index.js';
import type { AdapterStats, ExchangeAdapter } from './exchanges/exchange-adapter.js';

/**
 * Runs a set of venue adapters (one per venue market) side by side, and, when configured, the
 * historical kline backfill in the background (it never delays going live).
 */
export class Collector {
  private readonly log: Logger;
  private backfill: BackfillHandle | undefined;

  constructor(
    readonly adapters: readonly ExchangeAdapter[],
    logger: Logger,
    private readonly startBackfill?: () => BackfillHandle,
  ) {
    this.log = logger.child({ component: 'collector' });
  }

  async start(): Promise<void> {
    await Promise.all(this.adapters.map((a) => a.start()));
    this.log.info({ adapters: this.adapters.map((a) => `${a.exchange}:${a.market}`) }, 'collector started');
    this.backfill = this.startBackfill?.();
  }

  async stop(): Promise<void> {
    await this.backfill?.stop();
    await Promise.all(this.adapters.map((a) => a.stop()));
    this.log.info({ stats: this.stats() }, 'collector stopped');
  }

  stats(): AdapterStats[] {
    return this.adapters.map((a) => a.stats());
  }

  adapter(exchange: string, market: string): ExchangeAdapter | undefined {
    return this.adapters.find((a) => a.exchange === exchange && a.market === market);
  }
}
