import { Worker } from 'node:worker_threads';
import { status as Status } from '@grpc/grpc-js';
import type { LevelEvaluation } from '@pricelevel/levels';
import type { Clock } from '@pricelevel/platform';
import type { EvaluationJob } from './evaluation-worker.js';
import { CallError } from './grpc/calls.js';

/** The worker's compiled file. Tests load this module from src/ (TypeScript); the worker always runs from dist/. */
function workerUrl(): URL {
  const url = new URL('./evaluation-worker.js', import.meta.url);
  return url.pathname.endsWith('/src/evaluation-worker.js') ? new URL('../dist/evaluation-worker.js', url) : url;
}

/**
 * Runs level evaluations (seconds to minutes of CPU each) on worker threads, so the gateway's event loop
 * keeps serving every other call meanwhile. At most `concurrency` at once: a caller takes a slot first
 * and is refused when none is free, rather than queueing work nobody may wait for.
 */
export class EvaluationRunner {
  private inUse = 0;
  /** Stops each running evaluation, rejecting its call with the given status. */
  private readonly running = new Set<(err: CallError) => Promise<void>>();
  private readonly url = workerUrl();

  constructor(private readonly o: { concurrency: number; timeoutMs: number; clock: Clock }) {}

  /** A slot's release function, or undefined when every slot is taken. */
  acquire(): (() => void) | undefined {
    if (this.inUse >= this.o.concurrency) return undefined;
    this.inUse++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inUse--;
    };
  }

  /**
   * Evaluates on a new worker thread. Aborting `signal` (the call was cancelled) or running past the
   * timeout terminates the worker: the CPU is given back at once, and the promise rejects with a CallError;
   * a failure of the evaluation itself rejects with EvaluationFailed.
   */
  run(job: EvaluationJob, signal: AbortSignal): Promise<LevelEvaluation> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(cancelled());
      const worker = new Worker(this.url, { workerData: job });
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        timer.cancel();
        signal.removeEventListener('abort', onAbort);
        this.running.delete(stop);
        fn();
      };
      const stop = async (err: CallError) => {
        settle(() => reject(err));
        await worker.terminate();
      };
      this.running.add(stop);
      const onAbort = () => void stop(cancelled());
      const timer = this.o.clock.setTimeout(
        () => void stop(new CallError({ code: Status.DEADLINE_EXCEEDED, details: `the evaluation took longer than ${this.o.timeoutMs} ms and was stopped` })),
        this.o.timeoutMs,
      );
      signal.addEventListener('abort', onAbort);
      worker.once('message', (result: LevelEvaluation) => settle(() => {
        void worker.terminate();
        resolve(result);
      }));
      worker.once('error', (err) => settle(() => reject(new EvaluationFailed(err.message, err))));
      worker.once('exit', (code) => settle(() => reject(new EvaluationFailed(`the evaluation worker exited with code ${code} before answering`))));
    });
  }

  /** Stops every running evaluation (gateway shutdown); their calls get UNAVAILABLE. */
  async stopAll(): Promise<void> {
    const err = new CallError({ code: Status.UNAVAILABLE, details: 'gateway is shutting down' });
    await Promise.all([...this.running].map((stop) => stop(err)));
  }
}

/** The evaluation itself failed (a bug or bad input the checks missed), not the call. */
export class EvaluationFailed extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
  }
}

function cancelled(): CallError {
  return new CallError({ code: Status.CANCELLED, details: 'the evaluation was cancelled' });
}
