/**
 * The known names closest to an unknown one, for "did you mean `allowOrigins`?": compared without
 * case, `_` and `-` (so `max_age` is `maxAge`), by edit distance with adjacent swaps counted once;
 * close means at most a quarter of the longer name apart (at least 1). Several when tied; none when
 * nothing is close.
 *
 * @example
 * closestNames("allowOrigin", ["allowOrigins", "allowMethods"]) // ["allowOrigins"]
 * closestNames("colour", ["name", "allowOrigins"])              // []
 */
export function closestNames(unknown: string, known: readonly string[]): string[] {
  const wanted = normalize(unknown);
  // A name this long is no field name misspelt (and would make the distance table large).
  if (wanted.length > 100) return [];
  let best = Number.POSITIVE_INFINITY;
  let names: string[] = [];
  for (const name of known) {
    const candidate = normalize(name);
    const limit = Math.max(1, Math.floor(Math.max(wanted.length, candidate.length) / 4));
    const distance = editDistance(wanted, candidate);
    if (distance > limit || distance > best) continue;
    if (distance < best) {
      best = distance;
      names = [];
    }
    names.push(name);
  }
  return names;
}

function normalize(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, "");
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  // Names are short (field names); the full table is a few hundred cells.
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(
        (d[(i - 1) * cols + j] as number) + 1,
        (d[i * cols + j - 1] as number) + 1,
        (d[(i - 1) * cols + j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, (d[(i - 2) * cols + j - 2] as number) + 1);
      }
      d[i * cols + j] = value;
    }
  }
  return d[rows * cols - 1] as number;
}
