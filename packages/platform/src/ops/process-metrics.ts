import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { MetricsRegistry } from './metrics-registry.js';

/**
 * Registers the process metrics (standard Prometheus names where one exists): resident memory, heap,
 * CPU seconds, start time and event-loop lag. Returns a function that stops the event-loop sampler.
 */
export function registerProcessMetrics(registry: MetricsRegistry, startTimeMs: number): () => void {
  const delay = monitorEventLoopDelay({ resolution: 20 });
  delay.enable();
  registry
    .gauge({ name: 'process_resident_memory_bytes', help: 'Resident memory size in bytes.', collect: () => process.memoryUsage.rss() })
    .gauge({ name: 'nodejs_heap_used_bytes', help: 'V8 heap in use, in bytes.', collect: () => process.memoryUsage().heapUsed })
    .gauge({ name: 'nodejs_heap_total_bytes', help: 'V8 heap allocated, in bytes.', collect: () => process.memoryUsage().heapTotal })
    .counter({
      name: 'process_cpu_seconds_total',
      help: 'User and system CPU time spent, in seconds.',
      collect: () => {
        const u = process.cpuUsage();
        return (u.user + u.system) / 1e6;
      },
    })
    .gauge({ name: 'process_start_time_seconds', help: 'Start time of the process since the Unix epoch, in seconds.', collect: () => startTimeMs / 1000 })
    .gauge({
      name: 'nodejs_eventloop_lag_seconds',
      help: 'Event-loop delay since the previous scrape: mean and 99th percentile, in seconds.',
      collect: () => {
        // Before the first sample the histogram reports NaN; a lag of 0 is what it means.
        const mean = Number.isFinite(delay.mean) ? delay.mean : 0;
        const p99 = delay.count > 0 ? delay.percentile(99) : 0;
        delay.reset();
        return [
          { labels: { stat: 'mean' }, value: mean / 1e9 },
          { labels: { stat: 'p99' }, value: p99 / 1e9 },
        ];
      },
    });
  return () => delay.disable();
}
