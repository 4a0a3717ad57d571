import type { Logger } from '@pricelevel/platform';

export interface ExportProgress {
  /** exchange:market:symbol being read */
  label: string;
  /** ms of the requested range read so far, over every symbol, of `total`. */
  done: number;
  total: number;
  /** CSV rows or tensor samples written so far. */
  written: number;
  unit: 'rows' | 'samples';
  /** Where the current symbol's reading stands, ms. */
  at: number;
}

export type ExportProgressSink = (p: ExportProgress, final?: boolean) => void;

/** `[#######-----------------]  30%  binance:spot:BTCUSDT  2024-01-01T03:00:00.000Z  1234 rows`. */
export function renderExportProgress(p: ExportProgress, width = 24): string {
  const ratio = p.total > 0 ? Math.min(1, p.done / p.total) : 1;
  const filled = Math.round(ratio * width);
  const pct = String(Math.floor(ratio * 100)).padStart(3);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${pct}%  ${p.label}  ${new Date(p.at).toISOString()}  ${p.written} ${p.unit}`;
}

/**
 * A terminal gets one line redrawn in place; anything else (a pipe, a file, a log collector) gets a log
 * line at the start, at every further tenth of the range and at the end.
 */
export function exportProgressFor(stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }, logger: Logger): ExportProgressSink {
  if (stream.isTTY) {
    return (p, final) => {
      const line = renderExportProgress(p).slice(0, Math.max(20, (stream.columns ?? 120) - 1));
      stream.write(`\r\x1b[2K${line}${final ? '\n' : ''}`);
    };
  }
  let lastTenth = -1;
  return (p, final) => {
    const tenth = p.total > 0 ? Math.min(10, Math.floor((10 * p.done) / p.total)) : 10;
    if (tenth <= lastTenth && !final) return;
    lastTenth = tenth;
    logger.info({ symbol: p.label, at: new Date(p.at).toISOString(), [p.unit]: p.written }, final ? 'export finished' : `export ${tenth * 10}%`);
  };
}
