import { readFileSync, writeFileSync } from 'node:fs';
import { OrderFlow } from '@pricelevel/contracts';
import { describe, expect, it } from 'vitest';
import { FOOTPRINT_MULTIPLIERS, ORDER_FLOW_FEATURE_TABLE, orderFlowProtoName, orderFlowTableMarkdown } from '../../src/index.js';

const README = new URL('../../../../README.md', import.meta.url);
const START = '<!-- order-flow:start -->';
const END = '<!-- order-flow:end -->';

describe('ORDER_FLOW_FEATURE_TABLE', () => {
  it('documents every OrderFlow value exactly once, in proto field order', () => {
    // ts-proto builds a message with its fields in field-number order.
    const fields = Object.keys(OrderFlow.fromPartial({})).filter(
      (k) => !['exchange', 'market', 'symbol', 'interval', 'openTime', 'closeTime'].includes(k),
    );
    expect(fields).toHaveLength(33);
    expect(ORDER_FLOW_FEATURE_TABLE.map((r) => r.name)).toEqual(fields);
    for (const r of ORDER_FLOW_FEATURE_TABLE) {
      for (const text of [r.second, r.rollup, r.unit]) expect(text.length, r.name).toBeGreaterThan(0);
    }
  });

  it('names each value by its proto field name', () => {
    for (const r of ORDER_FLOW_FEATURE_TABLE) {
      const protoName = orderFlowProtoName(r.name);
      const value = r.name === 'footprint' ? [] : r.name === 'liquidationCompleteness' ? 'COMPLETENESS_FULL' : 7;
      const expected = r.name === 'liquidationCompleteness' ? 1 : value;
      expect(OrderFlow.fromJSON({ [protoName]: value })[r.name], `${r.name} → ${protoName}`).toEqual(expected);
    }
  });

  it('renders markdown tables with one cell per column, pipes escaped', () => {
    const md = orderFlowTableMarkdown();
    const rows = md.split('\n').filter((l) => l.startsWith('| `'));
    expect(rows).toHaveLength(ORDER_FLOW_FEATURE_TABLE.length + 5); // values + engine options
    for (const l of rows) expect(l.replace(/\\\|/g, '').split('|').length, l).toBeGreaterThanOrEqual(5);
    expect(md).toContain('| multiplier | 1 | 2 | 5 | 10 | 20 | 50 | 100 |');
    expect(FOOTPRINT_MULTIPLIERS['1d']).toBe(100);
  });

  it('is the order-flow section of the README', () => {
    const readme = readFileSync(README, 'utf8');
    const a = readme.indexOf(START);
    const b = readme.indexOf(END);
    expect(a, 'README markers').toBeGreaterThan(-1);
    expect(b).toBeGreaterThan(a);
    const section = '\n' + orderFlowTableMarkdown();
    if (process.env.UPDATE_README === '1') {
      writeFileSync(README, readme.slice(0, a + START.length) + section + readme.slice(b));
      return;
    }
    expect(
      readme.slice(a + START.length, b),
      'README order-flow section is stale; regenerate it with ' +
        '`cd packages/market && UPDATE_README=1 npx vitest run test/features/flow-feature-table.test.ts`',
    ).toBe(section);
  });
});
