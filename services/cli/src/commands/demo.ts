import { BinanceSimulator, BingxSim, BybitSim, HtxSim } from '@pricelevel/exchange-sim';
import { loadConfig } from '@pricelevel/platform';
import { runUp } from './up.js';

/**
 * `pricelevel demo`: the built-in simulators of every venue on loopback, and every service pointed at
 * them. The collectors do not know they talk to simulators: only the base URLs differ.
 */
export async function runDemo(env: Record<string, string | undefined>): Promise<void> {
  const base = loadConfig({ ...env, PL_MODE: 'embedded' });
  const seed = Number(env.PL_DEMO_SEED ?? 7);
  const symbols = base.PL_SYMBOLS;
  const [binance, bybit, bingx, htx] = await Promise.all([
    // Every venue also serves years of real candles (bundled) as history, for the kline backfill.
    BinanceSimulator.start({ seed, symbols, markets: base.PL_MARKETS, history: {} }),
    BybitSim.start({ seed: seed + 1, symbols, markets: base.PL_MARKETS, history: {} }),
    BingxSim.start({ seed: seed + 2, symbols, history: {} }),
    HtxSim.start({ seed: seed + 3, symbols, history: {} }),
  ]);
  const urls = { binance: binance.urls, bybit: bybit.urls, bingx: bingx.urls, htx: htx.urls };
  console.error(JSON.stringify({ msg: 'simulator listening', urls: binance.urls, venues: urls }));
  const config = loadConfig({
    PL_BACKFILL_INTERVALS: '1h,1d',
    PL_BACKFILL_SINCE: '365d',
    ...env,
    PL_MODE: 'embedded',
    BINANCE_SPOT_WS_URL: binance.urls.spotWs,
    BINANCE_SPOT_REST_URL: binance.urls.spotRest,
    BINANCE_PERP_WS_URL: binance.urls.perpWs,
    BINANCE_PERP_REST_URL: binance.urls.perpRest,
    BYBIT_SPOT_WS_URL: bybit.urls.spotWs,
    BYBIT_PERP_WS_URL: bybit.urls.linearWs,
    BYBIT_REST_URL: bybit.urls.rest,
    BINGX_PERP_WS_URL: bingx.urls.perpWs,
    BINGX_PERP_REST_URL: bingx.urls.perpRest,
    HTX_WS_URL: htx.urls.spotWs,
    HTX_REST_URL: htx.urls.spotRest,
  });
  await runUp(config, async () => {
    await Promise.all([binance.close(), bybit.close(), bingx.close(), htx.close()]);
  });
}
