import { parentPort, workerData } from 'node:worker_threads';
import { detectLevels, evaluateLevels, withDetectorHistory, type EvaluateLevelsOptions, type HistoryDays } from '@pricelevel/levels';

/** Input of one evaluation (structured-cloned from the gateway thread). */
export interface EvaluationJob {
  options: EvaluateLevelsOptions;
  /** The live detector's history per timeframe, so each step sees what it would see live. */
  history: HistoryDays;
}

// Worker thread entry: one walk-forward evaluation, its result posted back; a throw reaches the
// gateway as the worker's 'error' event.
const job = workerData as EvaluationJob;
parentPort?.postMessage(evaluateLevels(job.options, (bars) => detectLevels(withDetectorHistory(bars, job.history))));
