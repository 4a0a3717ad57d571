import { BinanceSimulator } from '@pricelevel/exchange-sim';
import { loadConfig } from '@pricelevel/platform';
import { runUp } from './up.js';

/**
 * `pricelevel demo`: the built-in simulator on loopback, and every service pointed at it.
 * The collector does not know it talks to a simulator: only the base URLs differ.
 */
export async function runDemo(env: Record<string, string | undefined>): Promise<void> {
  const base = loadConfig({ ...env, PL_MODE: 'embedded' });
  const sim = await BinanceSimulator.start({
    seed: Number(env.PL_DEMO_SEED ?? 7),
    symbols: base.PL_SYMBOLS,
    markets: base.PL_MARKETS,
  });
  console.error(JSON.stringify({ msg: 'simulator listening', urls: sim.urls }));
  const config = loadConfig({
    ...env,
    PL_MODE: 'embedded',
    BINANCE_SPOT_WS_URL: sim.urls.spotWs,
    BINANCE_SPOT_REST_URL: sim.urls.spotRest,
    BINANCE_PERP_WS_URL: sim.urls.perpWs,
    BINANCE_PERP_REST_URL: sim.urls.perpRest,
  });
  await runUp(config, () => sim.close());
}
