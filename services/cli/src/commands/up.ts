import { createPlatform, type Config } from '@pricelevel/platform';
import { SERVICES, closeOnSignal, startApp } from '../app.js';

/** `pricelevel up`: every service in one process on the embedded adapters. */
export async function runUp(config: Config, onStop?: () => Promise<void>): Promise<void> {
  const platform = await createPlatform(config, { service: 'all' });
  const app = await startApp(platform, SERVICES);
  platform.logger.info(
    { symbols: config.PL_SYMBOLS, markets: config.PL_MARKETS, grpcPort: config.GRPC_PORT, httpPort: config.HTTP_PORT },
    'pricelevel is up',
  );
  await closeOnSignal(app, onStop);
}
