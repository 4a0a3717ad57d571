import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { BookFeatures, Completeness, OrderFlow } from '@pricelevel/contracts';
import { describe, expect, it } from 'vitest';
import {
  BOOK_FEATURE_CSV_FIELDS, FEATURE_CSV_COLUMNS, ORDER_FLOW_CSV_FIELDS, csvField, featureCsvHeader, featureCsvRow, featureCsvRows,
} from '../../src/dataset/index.js';

const T0 = Date.UTC(2024, 0, 1);

/** Field names of a message in features.proto, in declaration order, with `repeated` marked. */
function protoFields(message: string): { name: string; repeated: boolean }[] {
  const proto = readFileSync(new URL('../../../../proto/pricelevel/marketdata/v1/features.proto', import.meta.url), 'utf8');
  const body = new RegExp(`message ${message} \\{([^}]*)\\}`).exec(proto)?.[1];
  if (body === undefined) throw new Error(`no message ${message}`);
  return [...body.matchAll(/^\s*(repeated\s+)?\w+\s+(\w+)\s*=\s*\d+;/gm)].map((m) => ({ name: m[2]!, repeated: m[1] !== undefined }));
}

function features(ts: number, over: Partial<BookFeatures> = {}): BookFeatures {
  return BookFeatures.fromPartial({ exchange: 'binance', market: 'spot', symbol: 'BTCUSDT', ts, midPrice: 42000.5, spread: 0.1, priceChange1s: Number.NaN, ...over });
}

function flow(closeTime: number, over: Partial<OrderFlow> = {}): OrderFlow {
  return OrderFlow.fromPartial({
    exchange: 'binance', market: 'spot', symbol: 'BTCUSDT', interval: '1s', openTime: closeTime - 1000, closeTime,
    tradeCount: 3, buyVolume: 0.1, sellVolume: 0.2, delta: 0.1 - 0.2, vwap: 42000.25, footprintStep: 0.5,
    footprint: [{ price: 42000, buyVolume: 0.1, sellVolume: 0.2, buyImbalanceRatio: 0, sellImbalanceRatio: 0, buyImbalance: false, sellImbalance: false }],
    nearestBidWallPrice: Number.NaN, liquidationCompleteness: Completeness.COMPLETENESS_SAMPLED, ...over,
  });
}

/** Rows parsed by Python's csv module (the reference reader), header included. */
function pythonCsv(text: string): string[][] {
  const r = spawnSync('python3', ['-c', 'import csv, io, json, sys; print(json.dumps(list(csv.reader(io.StringIO(sys.stdin.read(), newline="")))))'], { input: text, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as string[][];
}

describe('feature CSV columns', () => {
  it('are the identity, then every BookFeatures field, then the scalar OrderFlow fields, named as in the proto', () => {
    expect(FEATURE_CSV_COLUMNS.slice(0, 4)).toEqual(['exchange', 'market', 'symbol', 'ts']);
    const identity = new Set(['exchange', 'market', 'symbol', 'ts']);
    expect(BOOK_FEATURE_CSV_FIELDS).toEqual(protoFields('BookFeatures').map((f) => f.name).filter((n) => !identity.has(n)));
    const flowLeftOut = new Set(['exchange', 'market', 'symbol', 'interval', 'open_time', 'close_time']);
    expect(ORDER_FLOW_CSV_FIELDS).toEqual(protoFields('OrderFlow').filter((f) => !f.repeated && !flowLeftOut.has(f.name)).map((f) => f.name));
    expect(ORDER_FLOW_CSV_FIELDS).not.toContain('footprint');
    expect(new Set(FEATURE_CSV_COLUMNS).size).toBe(FEATURE_CSV_COLUMNS.length);
    expect(featureCsvHeader()).toBe(`${FEATURE_CSV_COLUMNS.join(',')}\n`);
  });
});

describe('csvField', () => {
  it('writes numbers shortest round-trip, NaN empty, infinities as inf, booleans as true/false', () => {
    expect(csvField(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(csvField(42000.5)).toBe('42000.5');
    expect(csvField(1e-7)).toBe('1e-7');
    expect(csvField(T0)).toBe('1704067200000');
    expect(csvField(Number.NaN)).toBe('');
    expect(csvField(Infinity)).toBe('inf');
    expect(csvField(-Infinity)).toBe('-inf');
    expect(csvField(true)).toBe('true');
    expect(csvField(false)).toBe('false');
    expect(csvField(undefined)).toBe('');
  });

  it('quotes text holding a comma, a quote or a line break, doubling quotes', () => {
    expect(csvField('BTCUSDT')).toBe('BTCUSDT');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
  });
});

describe('feature CSV rows', () => {
  it('joins the book features of a second with the 1 s flow closing at it; Python reads back the same values', () => {
    const f = features(T0, { bidLevels: 100, askLevels: 87, volumeImbalance: -0.125, resyncing: true });
    const text = featureCsvHeader() + featureCsvRow(f, flow(T0));
    const [header, row] = pythonCsv(text);
    expect(header).toEqual(FEATURE_CSV_COLUMNS);
    const get = (col: string) => row![FEATURE_CSV_COLUMNS.indexOf(col)];
    expect(row).toHaveLength(FEATURE_CSV_COLUMNS.length);
    expect([get('exchange'), get('market'), get('symbol'), get('ts')]).toEqual(['binance', 'spot', 'BTCUSDT', '1704067200000']);
    expect([get('resyncing'), get('bid_levels'), get('ask_levels'), get('mid_price'), get('volume_imbalance')]).toEqual(['true', '100', '87', '42000.5', '-0.125']);
    expect(get('price_change_1s')).toBe(''); // NaN
    expect(get('trade_count')).toBe('3');
    expect(Number(get('delta'))).toBe(0.1 - 0.2); // round-trips exactly
    expect(get('delta')).toBe('-0.1');
    expect(get('nearest_bid_wall_price')).toBe('');
    expect(get('liquidation_completeness')).toBe('sampled');
    expect(get('footprint_step')).toBe('0.5');
  });

  it('leaves every flow field empty when the second has no flow, and ignores flows of other seconds and intervals', () => {
    const fs = [features(T0), features(T0 + 1000), features(T0 + 2000)];
    const flows = [flow(T0 + 2000, { tradeCount: 9 }), flow(T0, { interval: '1m', tradeCount: 5 }), flow(T0 + 5000, { tradeCount: 7 })];
    const rows = pythonCsv(featureCsvRows(fs, flows));
    expect(rows.map((r) => r[3])).toEqual(['1704067200000', '1704067201000', '1704067202000']);
    const flowCols = FEATURE_CSV_COLUMNS.length - ORDER_FLOW_CSV_FIELDS.length;
    expect(rows[0]!.slice(flowCols).every((v) => v === '')).toBe(true);
    expect(rows[1]!.slice(flowCols).every((v) => v === '')).toBe(true);
    expect(rows[2]![FEATURE_CSV_COLUMNS.indexOf('trade_count')]).toBe('9');
  });

  it('matches a flow only to the same instrument', () => {
    const rows = pythonCsv(featureCsvRows([features(T0)], [flow(T0, { symbol: 'ETHUSDT', tradeCount: 4 })]));
    expect(rows[0]![FEATURE_CSV_COLUMNS.indexOf('trade_count')]).toBe('');
  });

  it('escapes text fields so a symbol with a comma stays one column', () => {
    const rows = pythonCsv(featureCsvRow(features(T0, { symbol: 'ODD,"SYM"' }), undefined));
    expect(rows[0]).toHaveLength(FEATURE_CSV_COLUMNS.length);
    expect(rows[0]![2]).toBe('ODD,"SYM"');
  });

  it('writes unknown completeness as empty and the known ones by name', () => {
    const col = FEATURE_CSV_COLUMNS.indexOf('liquidation_completeness');
    const value = (c: Completeness) => featureCsvRow(features(T0), flow(T0, { liquidationCompleteness: c })).trimEnd().split(',')[col];
    expect(value(Completeness.COMPLETENESS_FULL)).toBe('full');
    expect(value(Completeness.COMPLETENESS_UNAVAILABLE)).toBe('unavailable');
    expect(value(Completeness.COMPLETENESS_UNSPECIFIED)).toBe('unspecified');
    expect(value(Completeness.UNRECOGNIZED)).toBe('');
  });
});
