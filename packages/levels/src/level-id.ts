/**
 * A level's id: FNV-1a (32 bit, hex) of its centre's log-price bucket (width `bucketPct`) and the day of the
 * first daily bar whose range contains that centre. Neither depends on the sources or on the ATR-wide zone
 * edges, so the id survives recomputes while the centre stays in its bucket.
 */
export function levelId(centre: number, firstCentreTouchMs: number, bucketPct: number): string {
  const bucket = Math.round(Math.log(centre) / Math.log1p(bucketPct));
  const day = Math.floor(firstCentreTouchMs / 86_400_000);
  return `lv-${fnv1a(`${bucket}:${day}`)}`;
}

function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
