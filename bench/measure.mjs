// Timing helpers shared by the benchmarks. Machines are shared and noisy: every figure is the best
// of several rounds, and a path and its floor are measured interleaved so both see the same noise.

export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

/**
 * Best ns/op over ROUNDS of `fn(n, state)`, which runs n operations. `setup(n)`, when given, runs
 * untimed before each round and its result is handed to `fn` (e.g. books made ready to take a chain).
 */
export function measure(fn, n, setup) {
  const warm = Math.min(n, 1000);
  fn(warm, setup?.(warm)); // warm up
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const state = setup?.(n);
    const t = process.hrtime.bigint();
    fn(n, state);
    const ns = Number(process.hrtime.bigint() - t) / n;
    if (ns < best) best = ns;
  }
  return best;
}

/** A path and its floor, measured alternately three times; best ns/op of each. */
export function againstFloor(floorFn, workFn, n, setup) {
  let floor = Infinity;
  let work = Infinity;
  for (let k = 0; k < 3; k++) {
    floor = Math.min(floor, measure(floorFn, n));
    work = Math.min(work, measure(workFn, n, setup));
  }
  return { floor, work };
}
