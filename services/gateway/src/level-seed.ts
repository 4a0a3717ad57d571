import type { Clock, Logger, Store, TimerHandle } from '@pricelevel/platform';
import type { InstrumentRef } from './instruments.js';
import type { LatestLevels } from './latest-levels.js';

const DAY_MS = 86_400_000;

/**
 * Fills the held level sets from the store at start, so a restarted server answers at once. An
 * instrument whose read fails is retried later (the store may still be starting); meanwhile its levels
 * come from the bus alone.
 */
export class LevelSeed {
  private retry: TimerHandle | undefined;
  private cancelled = false;

  constructor(
    private readonly deps: { store: Store; clock: Clock; logger: Logger; levels: LatestLevels; retryMs: number },
  ) {}

  async run(instruments: readonly InstrumentRef[]): Promise<void> {
    const { store, clock, logger, levels } = this.deps;
    const now = clock.now();
    const failed: InstrumentRef[] = [];
    await Promise.all(instruments.map(async (ref) => {
      try {
        // A day ahead: a set stamped by a detector whose clock runs ahead of ours is still the newest.
        const [set] = await store.queryLevelSets({ ...ref, fromTs: 0, toTs: now + DAY_MS, limit: 1, tail: true });
        if (set) levels.offer(set);
      } catch (err) {
        failed.push(ref);
        logger.warn({ err, instrument: ref }, 'reading the stored level set failed; will retry');
      }
    }));
    if (failed.length > 0 && !this.cancelled) this.retry = clock.setTimeout(() => void this.run(failed), this.deps.retryMs);
  }

  cancel(): void {
    this.cancelled = true;
    this.retry?.cancel();
  }
}
