/**
 * HTX trade ids (`id`, e.g. 100182534526255757567432481) exceed 2^53, so JSON.parse rounds them, and
 * Node 20 has no JSON reviver with source text. The exact digits are therefore read from the raw text:
 * JSON.parse keeps object keys in text order, so walking the parsed value depth-first in key order
 * meets the `"id"` keys in the same order as they occur in the text, and the k-th `"id":<number>` in
 * the text belongs to the k-th object met. Every match is checked against the parsed value.
 */
const ID_RE = /"id"\s*:\s*(-?[0-9][0-9.eE+-]*)/g;

/**
 * Exact source text of every integer `id` key in `root` (which must be `JSON.parse(text)`), keyed by
 * the object holding it. Null when text and structure disagree (the frame is then rejected, never
 * misread) or when an `id` is not an integer.
 */
export function exactIds(text: string, root: unknown): Map<object, string> | null {
  const holders: object[] = [];
  collect(root, holders);
  const out = new Map<object, string>();
  ID_RE.lastIndex = 0;
  for (const h of holders) {
    const m = ID_RE.exec(text);
    if (!m) return null;
    const src = m[1]!;
    if (!/^-?\d+$/.test(src) || Number(src) !== (h as { id: unknown }).id) return null;
    out.set(h, src);
  }
  return out;
}

function collect(v: unknown, out: object[]): void {
  if (v === null || typeof v !== 'object') return;
  if (Array.isArray(v)) {
    for (const x of v) collect(x, out);
    return;
  }
  for (const key in v) {
    const x = (v as Record<string, unknown>)[key];
    if (key === 'id' && typeof x === 'number') out.push(v);
    else collect(x, out);
  }
}
