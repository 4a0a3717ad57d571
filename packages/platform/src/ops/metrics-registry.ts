/** Label name → value of one sample. */
export type MetricLabels = Readonly<Record<string, string>>;

export interface MetricSample {
  labels?: MetricLabels;
  value: number;
}

export type MetricType = 'counter' | 'gauge';

export interface MetricDefinition {
  /** Prometheus metric name; counters conventionally end in `_total`. */
  name: string;
  help: string;
  /** Read at scrape time: one unlabelled value, or one sample per label set. */
  collect: () => number | readonly MetricSample[];
}

interface Family extends MetricDefinition {
  type: MetricType;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The content type of the text exposition format rendered by MetricsRegistry.render(). */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * A dependency-free Prometheus registry. Metrics hold no state of their own: each family's callback
 * reads the service counters at scrape time, so the hot path pays nothing for being observed.
 */
export class MetricsRegistry {
  private readonly families = new Map<string, Family>();

  constructor(private readonly onCollectError: (name: string, err: unknown) => void = () => undefined) {}

  counter(def: MetricDefinition): this {
    return this.add({ ...def, type: 'counter' });
  }

  gauge(def: MetricDefinition): this {
    return this.add({ ...def, type: 'gauge' });
  }

  /** Names of the registered families, in registration order. */
  names(): string[] {
    return [...this.families.keys()];
  }

  /** Text exposition format 0.0.4. A family whose callback throws is left out of this scrape. */
  render(): string {
    let out = '';
    for (const f of this.families.values()) {
      let samples: readonly MetricSample[];
      try {
        const v = f.collect();
        samples = typeof v === 'number' ? [{ value: v }] : v;
      } catch (err) {
        this.onCollectError(f.name, err);
        continue;
      }
      out += `# HELP ${f.name} ${escapeHelp(f.help)}\n# TYPE ${f.name} ${f.type}\n`;
      for (const s of samples) out += `${f.name}${renderLabels(s.labels)} ${formatValue(s.value)}\n`;
    }
    return out;
  }

  private add(f: Family): this {
    if (!METRIC_NAME.test(f.name)) throw new Error(`invalid metric name ${JSON.stringify(f.name)}`);
    if (this.families.has(f.name)) throw new Error(`metric ${f.name} is already registered`);
    this.families.set(f.name, f);
    return this;
  }
}

function renderLabels(labels: MetricLabels | undefined): string {
  if (!labels) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(labels)) {
    if (!LABEL_NAME.test(k) || k.startsWith('__')) throw new Error(`invalid label name ${JSON.stringify(k)}`);
    parts.push(`${k}="${escapeLabelValue(v)}"`);
  }
  return parts.length > 0 ? `{${parts.join(',')}}` : '';
}

/** HELP text: backslash and line feed are escaped. */
export function escapeHelp(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Label values: backslash, double quote and line feed are escaped. */
export function escapeLabelValue(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}
