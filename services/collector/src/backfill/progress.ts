import type { Logger } from '@pricelevel/platform';

export interface ProgressEvent {
  phase: 'start' | 'page' | 'end';
  /** exchange:market:symbol interval */
  label: string;
  /** Candles of the planned range the cursor has passed, of `total`. */
  done: number;
  total: number;
  stored: number;
  requests: number;
}

export type ProgressSink = (e: ProgressEvent) => void;

/** `[#######-------------]  35%  binance:spot:BTCUSDT 1h  3500/10000  stored 3490  12 req`. Pure. */
export function renderProgressLine(e: ProgressEvent, width = 24): string {
  const ratio = e.total > 0 ? Math.min(1, e.done / e.total) : 1;
  const filled = Math.round(ratio * width);
  const pct = String(Math.floor(ratio * 100)).padStart(3);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${pct}%  ${e.label}  ${e.done}/${e.total}  stored ${e.stored}  ${e.requests} req`;
}

/** A bar redrawn in place on a terminal (carriage return, no newline until the series ends). */
export function terminalProgress(out: NodeJS.WritableStream & { columns?: number }): ProgressSink {
  return (e) => {
    const line = renderProgressLine(e).slice(0, Math.max(20, (out.columns ?? 120) - 1));
    out.write(`\r\x1b[2K${line}${e.phase === 'end' ? '\n' : ''}`);
  };
}

/** Plain log lines for pipes and files: the start, every further tenth of the range, and the end. */
export function logProgress(logger: Logger): ProgressSink {
  const lastTenth = new Map<string, number>();
  return (e) => {
    const tenth = e.total > 0 ? Math.floor((10 * e.done) / e.total) : 10;
    const fields = { series: e.label, done: e.done, total: e.total, stored: e.stored, requests: e.requests };
    if (e.phase === 'start') {
      lastTenth.set(e.label, 0);
      logger.info(fields, 'backfill started');
    } else if (e.phase === 'end') {
      lastTenth.delete(e.label);
      logger.info(fields, 'backfill finished');
    } else if (tenth > (lastTenth.get(e.label) ?? 0)) {
      lastTenth.set(e.label, tenth);
      logger.info(fields, `backfill ${tenth * 10}%`);
    }
  };
}

/** The terminal bar on a TTY stream, plain log lines otherwise. */
export function progressFor(stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }, logger: Logger): ProgressSink {
  return stream.isTTY ? terminalProgress(stream) : logProgress(logger);
}
