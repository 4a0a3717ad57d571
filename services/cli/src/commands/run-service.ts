import { createPlatform, type Config } from '@pricelevel/platform';
import { SERVICES, closeOnSignal, startApp, type ServiceName } from '../app.js';

export { SERVICES, type ServiceName };

/** `pricelevel run <service>[,…]`: services with adapters from the environment (Kafka/ClickHouse/Redis when set). */
export async function runService(names: ServiceName[], config: Config): Promise<void> {
  const platform = await createPlatform(config, { service: names.join('+') });
  const app = await startApp(platform, names);
  platform.logger.info({ services: names, mode: config.PL_MODE }, 'service running');
  await closeOnSignal(app);
}
