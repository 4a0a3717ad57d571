import { loadConfig } from '@pricelevel/platform';
import { runBackfillCommand } from './commands/backfill.js';
import { runDemo } from './commands/demo.js';
import { runExportCommand } from './commands/export.js';
import { runFeaturesCommand } from './commands/features.js';
import { runLevelsCommand } from './commands/levels.js';
import { runService, SERVICES, type ServiceName } from './commands/run-service.js';
import { runUp } from './commands/up.js';

export const USAGE = `usage: pricelevel <command>

  up               every service in one process (in-memory bus, chDB under PL_DATA_DIR), real exchanges
  demo             the same against the built-in exchange simulator, fully offline
  run <service>[,<service>…]
                   services with the adapters the environment names (${SERVICES.join(', ')})
  backfill --exchange <venue> --symbol <SYM> --interval <iv> [--market spot|perp] [--since <t>] [--until <t>] [--full]
                   venue klines over REST into the store, incrementally (backfill --help for more)
  export --symbol <SYM>[,<SYM>…] --from <t> --to <t> --format csv|npy [--exchange <venue>] [--market spot|perp] [--out <path>]
                   stored features as a dataset: a per-second CSV or a sequence tensor (.npy) (export --help for more)
  features --recompute --symbol <SYM> [--exchange <venue>] [--market spot|perp] [--from <t>] [--to <t>] [--write]
                   recompute stored features with the live code and check they are equal (features --help)
  levels --symbol <SYM> [--exchange <venue>] [--market spot|perp] [--json]
                   the current support/resistance levels as a table (levels --help)
  levels evaluate --symbol <SYM> --interval 1d|4h|1h --from <t> --to <t> [--candles-1d f.csv …] [--json]
                   walk-forward bounce rates of the levels against random and round-number levels
  help             this text

Configuration comes from the environment; see the README.`;

/** Runs a command; resolves with an exit code for commands that end, or never for servers (they stop on a signal). */
export async function runCli(argv: string[], env: Record<string, string | undefined>): Promise<number | undefined> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'up':
      await runUp(loadConfig({ ...env, PL_MODE: 'embedded' }));
      return undefined;
    case 'demo':
      await runDemo(env);
      return undefined;
    case 'run': {
      const names = (rest[0] ?? '').split(',').filter(Boolean);
      const unknown = names.filter((n) => !(SERVICES as readonly string[]).includes(n));
      if (names.length === 0 || unknown.length > 0) {
        console.error(`pricelevel run: unknown service '${unknown.join(',')}'; one or more of ${SERVICES.join(', ')}`);
        return 2;
      }
      await runService(names as ServiceName[], loadConfig(env));
      return undefined;
    }
    case 'backfill':
      return runBackfillCommand(rest, env);
    case 'export':
      return runExportCommand(rest, env);
    case 'features':
      return runFeaturesCommand(rest, env);
    case 'levels':
      return runLevelsCommand(rest, env);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return 0;
    default:
      console.error(`pricelevel: unknown command '${command}'\n\n${USAGE}`);
      return 2;
  }
}
