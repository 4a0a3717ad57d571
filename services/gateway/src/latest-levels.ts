import { instrumentKey, type LevelSet } from '@pricelevel/contracts';
import type { Logger } from '@pricelevel/platform';
import { KeyedFanout, type Listener } from './fanout.js';
import type { InstrumentRef } from './instruments.js';

/**
 * The current level set of every instrument: the highest version seen, from levels.v1 or the store.
 * An older or repeated version (a redelivery, a replay, a store read racing the bus) is ignored, so
 * watchers only ever see versions increase.
 */
export class LatestLevels {
  private readonly latest = new Map<string, LevelSet>();
  private readonly fanout: KeyedFanout<LevelSet>;

  constructor(logger: Logger, onListenerError: () => void) {
    this.fanout = new KeyedFanout<LevelSet>('level set', instrumentKey, logger, onListenerError);
  }

  get(instrument: InstrumentRef): LevelSet | undefined {
    return this.latest.get(instrumentKey(instrument));
  }

  /** Keeps `set` and hands it to the watchers when it is newer than the one held; says whether it was. */
  offer(set: LevelSet): boolean {
    const key = instrumentKey(set);
    const held = this.latest.get(key);
    if (held && held.version >= set.version) return false;
    this.latest.set(key, set);
    this.fanout.dispatch(set);
    return true;
  }

  /** Every newer version of the instrument's set; returns the unsubscribe function. */
  onNewer(instrument: InstrumentRef, listener: Listener<LevelSet>): () => void {
    return this.fanout.add(instrumentKey(instrument), listener);
  }
}
