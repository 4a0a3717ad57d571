import {
  ClickHouseLogLevel, type ClickHouseClientConfigOptions, type ErrorLogParams, type LogParams, type WarnLogParams,
} from '@clickhouse/client';
import type { Logger } from '../logging/logger.js';

/**
 * Routes @clickhouse/client's own logging (console by default) into the project logger.
 * Client errors also reject the call that caused them, so the caller reports those; here they
 * go to debug. Warnings (e.g. socket trouble outside any call) stay warnings.
 */
export function clientLogConfig(logger: Logger): NonNullable<ClickHouseClientConfigOptions['log']> {
  const log = logger.child({ module: 'clickhouse-client' });
  const fields = (p: LogParams, err?: Error) => ({ client_module: p.module, ...p.args, ...(err ? { err: err.message } : {}) });
  class BridgedLogger {
    trace(p: LogParams): void {
      log.debug(fields(p), p.message);
    }
    debug(p: LogParams): void {
      log.debug(fields(p), p.message);
    }
    info(p: LogParams): void {
      log.info(fields(p), p.message);
    }
    warn(p: WarnLogParams): void {
      log.warn(fields(p, p.err), p.message);
    }
    error(p: ErrorLogParams): void {
      log.debug(fields(p, p.err), p.message);
    }
  }
  return { LoggerClass: BridgedLogger, level: ClickHouseLogLevel.WARN };
}
