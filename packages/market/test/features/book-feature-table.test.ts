import { readFileSync, writeFileSync } from 'node:fs';
import { BookFeatures } from '@pricelevel/contracts';
import { describe, expect, it } from 'vitest';
import { BOOK_FEATURE_TABLE, bookFeatureProtoName, bookFeatureTableMarkdown } from '../../src/index.js';

const README = new URL('../../../../README.md', import.meta.url);
const START = '<!-- book-features:start -->';
const END = '<!-- book-features:end -->';

describe('BOOK_FEATURE_TABLE', () => {
  it('lists every numeric BookFeatures field exactly once, in proto field order', () => {
    // ts-proto builds a message with its fields in field-number order.
    const fields = Object.keys(BookFeatures.fromPartial({})).filter(
      (k) => !['exchange', 'market', 'symbol', 'ts', 'resyncing'].includes(k),
    );
    expect(fields).toHaveLength(39);
    expect(BOOK_FEATURE_TABLE.map((r) => r.name)).toEqual(fields);
    for (const r of BOOK_FEATURE_TABLE) {
      expect(r.formula.length, r.name).toBeGreaterThan(0);
      expect(r.unit.length, r.name).toBeGreaterThan(0);
    }
  });

  it('names each feature by its proto field name', () => {
    // The generated fromJSON accepts a field under its original proto name too.
    for (const r of BOOK_FEATURE_TABLE) {
      const protoName = bookFeatureProtoName(r.name);
      expect(protoName).toMatch(/^[a-z0-9]+(_[a-z0-9]+)*$/);
      expect(BookFeatures.fromJSON({ [protoName]: 7 })[r.name], `${r.name} → ${protoName}`).toBe(7);
    }
    expect(bookFeatureProtoName('priceChange30s')).toBe('price_change_30s');
    expect(bookFeatureProtoName('bidTop10Concentration')).toBe('bid_top10_concentration');
  });

  it('renders as a markdown table, pipes escaped', () => {
    const lines = bookFeatureTableMarkdown().trimEnd().split('\n');
    expect(lines.slice(0, 2)).toEqual(['| feature | formula | unit |', '|---|---|---|']);
    expect(lines).toHaveLength(2 + BOOK_FEATURE_TABLE.length);
    expect(lines[2]).toBe('| `bid_levels` | number of bid levels in the snapshot (≤ 100) | levels |');
    expect(lines.find((l) => l.startsWith('| `buy_pressure` '))).toContain('(1 − \\|p_i − mid\\| / mid)');
    // Three cells per row: every unescaped pipe is a cell border.
    for (const l of lines) expect(l.replace(/\\\|/g, '').split('|')).toHaveLength(5);
  });

  it('is the table in the README', () => {
    const readme = readFileSync(README, 'utf8');
    const a = readme.indexOf(START);
    const b = readme.indexOf(END);
    expect(a, 'README markers').toBeGreaterThan(-1);
    expect(b).toBeGreaterThan(a);
    const section = '\n' + bookFeatureTableMarkdown();
    if (process.env.UPDATE_README === '1') {
      writeFileSync(README, readme.slice(0, a + START.length) + section + readme.slice(b));
      return;
    }
    expect(
      readme.slice(a + START.length, b),
      'README book-feature table is stale; regenerate it with ' +
        '`cd packages/market && UPDATE_README=1 npx vitest run test/features/book-feature-table.test.ts`',
    ).toBe(section);
  });
});
