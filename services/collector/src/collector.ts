import type { Logger } from '@pricelevel/platform';
import type { AdapterStats, ExchangeAdapter } from './exchanges/exchange-adapter.js';

/** Runs a set of venue adapters (one per venue market) side by side. */
export class Collector {
  private readonly log: Logger;

  constructor(
    readonly adapters: readonly ExchangeAdapter[],
    logger: Logger,
  ) {
    this.log = logger.child({ component: 'collector' });
  }

  async start(): Promise<void> {
    await Promise.all(this.adapters.map((a) => a.start()));
    this.log.info({ adapters: this.adapters.map((a) => `${a.exchange}:${a.market}`) }, 'collector started');
  }

  async stop(): Promise<void> {
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
