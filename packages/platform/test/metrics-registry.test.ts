import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from '../src/ops/metrics-registry.js';

describe('MetricsRegistry', () => {
  it('renders the text exposition format with HELP, TYPE, labels and values read at scrape time', () => {
    let frames = 3;
    const r = new MetricsRegistry()
      .counter({
        name: 'demo_frames_total',
        help: 'Frames received.',
        collect: () => [
          { labels: { exchange: 'binance', market: 'spot' }, value: frames },
          { labels: { exchange: 'bybit', market: 'perp' }, value: 0 },
        ],
      })
      .gauge({ name: 'demo_lag_seconds', help: 'Lag.', collect: () => 0.25 });
    expect(r.render()).toBe(
      '# HELP demo_frames_total Frames received.\n' +
        '# TYPE demo_frames_total counter\n' +
        'demo_frames_total{exchange="binance",market="spot"} 3\n' +
        'demo_frames_total{exchange="bybit",market="perp"} 0\n' +
        '# HELP demo_lag_seconds Lag.\n' +
        '# TYPE demo_lag_seconds gauge\n' +
        'demo_lag_seconds 0.25\n',
    );
    frames = 7;
    expect(r.render()).toContain('demo_frames_total{exchange="binance",market="spot"} 7\n');
  });

  it('escapes HELP text and label values, and spells special values as Prometheus does', () => {
    const r = new MetricsRegistry().gauge({
      name: 'demo_odd',
      help: 'back\\slash and\nnewline',
      collect: () => [
        { labels: { v: 'a"b\\c\nd' }, value: NaN },
        { labels: { v: 'up' }, value: Infinity },
        { labels: { v: 'down' }, value: -Infinity },
      ],
    });
    expect(r.render()).toBe(
      '# HELP demo_odd back\\\\slash and\\nnewline\n' +
        '# TYPE demo_odd gauge\n' +
        'demo_odd{v="a\\"b\\\\c\\nd"} NaN\n' +
        'demo_odd{v="up"} +Inf\n' +
        'demo_odd{v="down"} -Inf\n',
    );
  });

  it('renders an empty family as HELP and TYPE only', () => {
    expect(new MetricsRegistry().counter({ name: 'demo_none_total', help: 'h', collect: () => [] }).render()).toBe(
      '# HELP demo_none_total h\n# TYPE demo_none_total counter\n',
    );
  });

  it('leaves out a family whose callback throws and reports it', () => {
    const errors: string[] = [];
    const r = new MetricsRegistry((name) => errors.push(name))
      .gauge({ name: 'demo_broken', help: 'h', collect: () => { throw new Error('boom'); } })
      .gauge({ name: 'demo_ok', help: 'h', collect: () => 1 });
    expect(r.render()).toBe('# HELP demo_ok h\n# TYPE demo_ok gauge\ndemo_ok 1\n');
    expect(errors).toEqual(['demo_broken']);
  });

  it('refuses invalid or duplicate names', () => {
    const r = new MetricsRegistry().gauge({ name: 'demo_a', help: 'h', collect: () => 1 });
    expect(() => r.gauge({ name: 'demo_a', help: 'h', collect: () => 1 })).toThrow(/already registered/);
    expect(() => r.gauge({ name: '1bad', help: 'h', collect: () => 1 })).toThrow(/invalid metric name/);
    const bad = new MetricsRegistry().gauge({ name: 'demo_b', help: 'h', collect: () => [{ labels: { 'bad-label': 'x' }, value: 1 }] });
    expect(() => bad.render()).toThrow(/invalid label name/);
  });
});
