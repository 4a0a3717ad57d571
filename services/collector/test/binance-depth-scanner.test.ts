import { readdirSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readDecimal, scanDepthUpdate } from '../src/exchanges/binance/depth-scanner.js';
import { BinanceParser, type BinanceEvent } from '../src/exchanges/binance/parsers.js';
import { binanceSequences, FIXTURES, fixtureLines, fixtureText } from './helpers/fixtures.js';

const RECV = 1_700_000_000_123;

/** readDecimal reads up to a closing quote, as inside a JSON string. */
const dec = (s: string) => readDecimal(`${s}"`, 0);

/** What the fast path promises to accept: plain decimals with ≤ 15 significant and ≤ 22 fraction digits. */
function inFastSubset(s: string): boolean {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(s);
  if (!m) return false;
  const sig = (m[1]! + (m[2] ?? '')).replace(/^0+/, '').length;
  return sig <= 15 && (m[2] ?? '').length <= 22;
}

function allFixtureFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = `${dir}/${name}`;
    if (statSync(full).isDirectory()) return allFixtureFiles(full);
    return /\.(json|jsonl|csv)$/.test(name) ? [full.slice(FIXTURES.length)] : [];
  });
}

function seeded(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every real Binance depthUpdate frame we hold: the ws fixtures and the ws records of the recorded sequences. */
function realDepthFrames(): { market: 'spot' | 'perp'; raw: string }[] {
  const out: { market: 'spot' | 'perp'; raw: string }[] = [];
  for (const [file, market] of [
    ['binance/spot_ws_depthUpdate.real.jsonl', 'spot'],
    ['binance/spot_ws_depthUpdate_btcusdt.real.jsonl', 'spot'],
    ['binance/futures_ws_depthUpdate.real.jsonl', 'perp'],
    ['binance/futures_ws_depthUpdate_btcusdt.real.jsonl', 'perp'],
  ] as const) {
    for (const raw of fixtureLines(file)) out.push({ market, raw });
  }
  for (const seq of binanceSequences()) {
    for (const r of seq.records) if (r.source === 'ws') out.push({ market: seq.market, raw: r.raw });
  }
  return out;
}

const symbolsOf = (frames: { raw: string }[]) => frames.map((f) => (JSON.parse(f.raw).data ?? JSON.parse(f.raw)).s as string);

describe('readDecimal: exact decimal → double', () => {
  it('equals Number(str) bit for bit on every decimal string in the real fixtures', () => {
    const values = new Set<string>();
    // Venue payloads quote their decimals: those are what the scanner meets, and nearly all must take the fast path.
    const quoted = new Set<string>();
    for (const file of allFixtureFiles(FIXTURES.replace(/\/$/, ''))) {
      const text = fixtureText(file);
      for (const m of text.matchAll(/"(\d+(?:\.\d+)?)"/g)) {
        quoted.add(m[1]!);
        values.add(m[1]!);
      }
      if (file.endsWith('.csv')) for (const m of text.matchAll(/(?<=,)(\d+\.\d+)(?=,|\n|$)/g)) values.add(m[1]!);
    }
    expect(values.size).toBeGreaterThan(5000);
    expect([...quoted].filter((v) => inFastSubset(v)).length).toBeGreaterThan(quoted.size * 0.99);
    let fast = 0;
    const wrong: string[] = []; // one expect at the end: per-value expects would dominate the run time
    for (const v of values) {
      const got = dec(v);
      if (inFastSubset(v)) {
        fast++;
        if (!Object.is(got, Number(v))) wrong.push(v);
      } else if (got !== -1) wrong.push(v);
    }
    expect(wrong).toEqual([]);
    expect(fast).toBeGreaterThan(values.size * 0.9); // candle CSVs add long volume decimals that take the exact slow path
  });

  it('equals Number(str) on random decimals across the whole accepted range', () => {
    const r = seeded(7);
    const digits = (n: number) => Array.from({ length: n }, () => String(Math.floor(r() * 10))).join('');
    const wrong: string[] = [];
    let tried = 0;
    for (let i = 0; i < 200_000; i++) {
      const sig = 1 + Math.floor(r() * 15);
      const frac = Math.floor(r() * 23);
      const zeros = '0'.repeat(Math.floor(r() * 3)); // leading zeros are insignificant
      let body = digits(sig);
      // Put the point so that the fraction has `frac` digits, padding with zeros when needed.
      if (frac > 0) {
        body = body.padStart(frac + 1, '0');
        body = `${body.slice(0, body.length - frac)}.${body.slice(body.length - frac)}`;
      }
      const s = zeros + body;
      if (!inFastSubset(s)) continue;
      tried++;
      if (!Object.is(dec(s), Number(s))) wrong.push(s);
    }
    expect(wrong).toEqual([]);
    expect(tried).toBeGreaterThan(150_000);
  });

  it('edge values: 15 significant digits, 22 fraction digits, zero', () => {
    for (const s of ['0.3', '1.15', '8.675', '0.000001', '123456789.012345', '999999999999999', `0.${'0'.repeat(21)}1`, `1.${'0'.repeat(14)}`, `0.${'0'.repeat(7)}${'9'.repeat(15)}`]) {
      expect(Object.is(dec(s), Number(s)), s).toBe(true);
    }
    expect(Object.is(dec('0.000'), 0)).toBe(true); // +0, never -0
  });

  it('refuses what it cannot convert exactly or what is not a plain decimal (the caller falls back)', () => {
    for (const s of [
      '1234567890123456', // 16 significant digits
      '0.12345678901234567', `1.${'0'.repeat(23)}`, // 23 fraction digits
      '', '.', '1.', '.5', '1e5', '1E5', '-1', '+1', ' 1', '1 ', '0x10', 'Infinity', 'NaN', '1,5', '1..2',
    ]) {
      expect(dec(s), JSON.stringify(s)).toBe(-1);
    }
    expect(readDecimal('12.5', 0)).toBe(-1); // no closing quote
  });
});

describe('scanDepthUpdate', () => {
  const frames = realDepthFrames();

  it('takes every real frame (envelope and raw payload) and reads exactly what JSON.parse + Number read', () => {
    expect(frames.length).toBeGreaterThan(1500);
    for (const { raw } of frames) {
      const d = JSON.parse(raw).data;
      const want = {
        symbol: d.s, U: d.U, u: d.u, pu: d.pu, E: d.E, T: d.T,
        bids: d.b.map(([p, s]: [string, string]) => ({ price: Number(p), size: Number(s) })),
        asks: d.a.map(([p, s]: [string, string]) => ({ price: Number(p), size: Number(s) })),
        receivedTs: RECV,
      };
      expect(scanDepthUpdate(raw, RECV), raw).toStrictEqual(want);
      expect(scanDepthUpdate(JSON.stringify(d), RECV)).toStrictEqual(want);
    }
  });

  it('returns null (fallback) for everything outside its compact subset', () => {
    const base = '{"e":"depthUpdate","E":5,"T":4,"s":"BTCUSDT","U":10,"u":12,"pu":9,"b":[["1.5","2"]],"a":[["1.6","0"]]}';
    expect(scanDepthUpdate(base, RECV)).not.toBeNull();
    expect(scanDepthUpdate(`{"stream":"x","data":${base}}`, RECV)).not.toBeNull();
    for (const bad of [
      ` ${base}`, `${base} `, base.replace(',"E"', ', "E"'), // whitespace
      base.replace('"e":"depthUpdate"', '"e":"aggTrade"'),
      base.replace('"s":"BTCUSDT"', '"s":"BTC\\u0055SDT"'), // escape
      base.replace('"s":"BTCUSDT"', '"s":"BTC\tUSDT"'), // raw control character (invalid JSON)
      base.replace('"U":10', '"U":010'), base.replace('"U":10', '"U":1e1'), base.replace('"U":10', '"U":10.0'),
      base.replace('"U":10', '"U":-10'), base.replace('"U":10', '"U":"10"'), base.replace('"U":10', '"U":1234567890123456'),
      base.replace('"pu":9,', '"pu":9,"pu":9,'), // duplicate key
      base.replace('"pu":9,', '"pu":9,"x":1,'), // unknown key
      base.replace('"s":"BTCUSDT",', ''), base.replace(',"a":[["1.6","0"]]', ''), base.replace('"E":5,', ''), // missing
      base.replace('["1.5","2"]', '[1.5,"2"]'), base.replace('["1.5","2"]', '["1.5","2","3"]'), base.replace('["1.5","2"]', '["0","2"]'),
      base.replace('["1.5","2"]', '["1.5","-2"]'), base.replace('["1.5","2"]', '["1.5","2e1"]'), base.replace('["1.5","2"]', '["1.5",""]'),
      base.replace('[["1.5","2"]]', '[["1.5","2"],]'), base.replace('[["1.5","2"]]', 'null'),
      base.slice(0, -1), `${base}}`, `${base},`, `{"stream":"x","data":${base}`, `{"stream":"x","data":${base}}}`,
      `{"data":${base},"stream":"x"}`, `{"stream":"x\\"","data":${base}}`, '', '{', '{"', '[]',
    ]) {
      expect(scanDepthUpdate(bad, RECV), bad).toBeNull();
    }
  });
});

describe('BinanceParser with the depth fast path', () => {
  const frames = realDepthFrames();
  const perp = new BinanceParser('perp', symbolsOf(frames.filter((f) => f.market === 'perp')));
  const spot = new BinanceParser('spot', symbolsOf(frames.filter((f) => f.market === 'spot')));
  /**
   * The oracle: a trailing space changes nothing for JSON.parse but always sends the frame down
   * the general path. The fast path must give the very same event, error wording included.
   */
  const viaJson = (p: BinanceParser, raw: string): BinanceEvent => {
    const e = p.parse(`${raw} `, RECV);
    // The invalid-JSON detail quotes the first 60 characters, which then include the space.
    return e.kind === 'error' && raw.length < 60 ? { ...e, detail: e.detail.replace(/ $/, '') } : e;
  };

  it('gives the same events as the JSON path on every real frame', () => {
    for (const { market, raw } of frames) {
      const p = market === 'perp' ? perp : spot;
      const e = p.parse(raw, RECV);
      expect(e.kind).toBe('depth');
      expect(e).toStrictEqual(viaJson(p, raw));
      expect(p.parse(Buffer.from(raw), RECV)).toStrictEqual(e);
    }
  });

  it('semantic rejects go to the JSON path and come back as its typed errors', () => {
    const base = { e: 'depthUpdate', E: 5, T: 4, s: 'BTCUSDT', U: 10, u: 12, pu: 9, b: [['1.5', '2']], a: [] };
    const p = new BinanceParser('perp', ['BTCUSDT']);
    const cases: [object, string][] = [
      [{ ...base, s: 'ETHUSDT' }, 'unknown-symbol'],
      [{ ...base, U: 13 }, 'malformed'],
      [{ ...base, pu: undefined }, 'malformed'],
      [{ ...base, b: [['0', '2']] }, 'malformed'],
      [{ ...base, b: [['1.5', 'x']] }, 'malformed'],
    ];
    for (const [data, reason] of cases) {
      const raw = JSON.stringify({ stream: 'btcusdt@depth', data });
      const e = p.parse(raw, RECV);
      expect(e.kind === 'error' && e.reason, raw).toBe(reason);
      expect(e).toStrictEqual(viaJson(p, raw));
    }
    // Spot has no pu: the same diff without it is fine there.
    expect(new BinanceParser('spot', ['BTCUSDT']).parse(JSON.stringify({ ...base, pu: undefined }), RECV).kind).toBe('depth');
  });

  it('agrees with the JSON path on truncated and mutated real frames, and never throws', () => {
    const r = seeded(11);
    const sample = frames.filter((_, i) => i % 40 === 0);
    const junk = [' ', '"', '\\', '0', '9', '.', ',', ':', '{', '}', '[', ']', 'e', '-', '\n', 'x'];
    let compared = 0;
    for (const { market, raw } of sample) {
      const p = market === 'perp' ? perp : spot;
      const variants: string[] = [];
      for (let cut = 0; cut < raw.length; cut += 3) variants.push(raw.slice(0, cut));
      for (let k = 0; k < 60; k++) {
        const at = Math.floor(r() * raw.length);
        const c = junk[Math.floor(r() * junk.length)]!;
        variants.push(raw.slice(0, at) + c + raw.slice(at + 1)); // replace
        variants.push(raw.slice(0, at) + c + raw.slice(at)); // insert
        variants.push(raw.slice(0, at) + raw.slice(at + 1)); // delete
      }
      for (const v of variants) {
        expect(p.parse(v, RECV), v).toStrictEqual(viaJson(p, v));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(5000);
  });
});
