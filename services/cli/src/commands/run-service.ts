import { createPlatform, type Config } from '@pricelevel/platform';
import { SERVICES, closeOnSignal, startApp, type ServiceName } from '../app.js';

export { SERVICES, type ServiceName };

/** `pricelevel run <service>[,…]`: services with adapters from the environment (Kafka/ClickHouse/Redis when set). */
export async function runService(names: ServiceName[], config: Config): Promise<void> {
  const platform = await createPlatform(config, { service: names.join('+') });
  // A service that fails to start leaves the adapters' connections open: close them so the process ends (with 1).
  const app = await startApp(platform, names).catch(async (err: unknown) => {
    await platform.close().catch((closeErr: unknown) => platform.logger.error({ err: closeErr }, 'closing the platform failed'));
    throw err;
  });
  platform.logger.info({ services: names, mode: config.PL_MODE }, 'service running');
  await closeOnSignal(app);
}
