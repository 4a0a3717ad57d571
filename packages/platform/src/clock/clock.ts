/** Time source. All time logic takes a Clock so tests can drive it. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  setInterval(fn: () => void, ms: number): TimerHandle;
}

export interface TimerHandle {
  cancel(): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  },
  setInterval(fn, ms) {
    const t = setInterval(fn, ms);
    t.unref?.();
    return { cancel: () => clearInterval(t) };
  },
};

/** A clock that moves only when told to; fires due timers in time order. */
export class ManualClock implements Clock {
  private timers: { at: number; every: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  constructor(private t = 0) {}

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.add(fn, ms, 0);
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    return this.add(fn, ms, Math.max(1, ms));
  }

  /** Advance time by ms, running every timer that falls due, in order. */
  advance(ms: number): void {
    const target = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.timers[0];
      if (!next || next.at > target) break;
      this.t = next.at;
      if (next.every > 0) next.at += next.every;
      else this.timers.shift();
      next.fn();
    }
    this.t = target;
  }

  set(ms: number): void {
    this.advance(Math.max(0, ms - this.t));
  }

  private add(fn: () => void, ms: number, every: number): TimerHandle {
    const timer = { at: this.t + Math.max(0, ms), every, fn, id: this.nextId++ };
    this.timers.push(timer);
    return { cancel: () => (this.timers = this.timers.filter((x) => x !== timer)) };
  }
}
