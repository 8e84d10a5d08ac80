/**
 * A line diff of two texts (two configurations as YAML), for the console's revision and save views.
 * Common leading and trailing lines are cut first; the rest is compared by longest common
 * subsequence when small enough, else shown as removed-then-added (bounded time and memory).
 */

export interface DiffLine {
  /** " " unchanged, "-" only in the old text, "+" only in the new one. */
  readonly op: " " | "-" | "+";
  readonly text: string;
  /** 1-based line numbers in the old and new texts (absent on the side the line is not on). */
  readonly old?: number;
  readonly new?: number;
}

/** Cells of the LCS table above which the middle is shown as a block replacement. */
const MAX_CELLS = 4_000_000;

export function diffLines(before: string, after: string): DiffLine[] {
  const a = before === "" ? [] : before.replace(/\n$/, "").split("\n");
  const b = after === "" ? [] : after.replace(/\n$/, "").split("\n");
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const out: DiffLine[] = [];
  for (let i = 0; i < start; i++) out.push({ op: " ", text: a[i] as string, old: i + 1, new: i + 1 });
  const n = endA - start;
  const m = endB - start;
  if (n * m <= MAX_CELLS && n > 0 && m > 0) {
    // lcs[i][j]: the LCS length of a[start+i..endA) and b[start+j..endB), flattened.
    const width = m + 1;
    const lcs = new Uint32Array((n + 1) * width);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * width + j] =
          a[start + i] === b[start + j]
            ? (lcs[(i + 1) * width + j + 1] as number) + 1
            : Math.max(lcs[(i + 1) * width + j] as number, lcs[i * width + j + 1] as number);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[start + i] === b[start + j]) {
        out.push({ op: " ", text: a[start + i] as string, old: start + i + 1, new: start + j + 1 });
        i++;
        j++;
      } else if (
        i < n &&
        (j >= m || (lcs[(i + 1) * width + j] as number) >= (lcs[i * width + j + 1] as number))
      ) {
        // Removals before additions, as diff(1) shows a replaced line.
        out.push({ op: "-", text: a[start + i] as string, old: start + i + 1 });
        i++;
      } else {
        out.push({ op: "+", text: b[start + j] as string, new: start + j + 1 });
        j++;
      }
    }
  } else {
    for (let i = start; i < endA; i++) out.push({ op: "-", text: a[i] as string, old: i + 1 });
    for (let j = start; j < endB; j++) out.push({ op: "+", text: b[j] as string, new: j + 1 });
  }
  for (let i = endA, j = endB; i < a.length; i++, j++) {
    out.push({ op: " ", text: a[i] as string, old: i + 1, new: j + 1 });
  }
  return out;
}

/** The changed lines with `context` unchanged lines around each change; `…` rows stand for the gaps. */
export function hunks(
  lines: readonly DiffLine[],
  context = 3,
): (DiffLine | { readonly op: "…"; readonly skipped: number })[] {
  const keep = new Uint8Array(lines.length);
  lines.forEach((l, i) => {
    if (l.op === " ") return;
    for (let k = Math.max(0, i - context); k <= Math.min(lines.length - 1, i + context); k++) keep[k] = 1;
  });
  const out: (DiffLine | { op: "…"; skipped: number })[] = [];
  let skipped = 0;
  lines.forEach((l, i) => {
    if (keep[i]) {
      if (skipped > 0) out.push({ op: "…", skipped });
      skipped = 0;
      out.push(l);
    } else skipped++;
  });
  if (skipped > 0 && out.length > 0) out.push({ op: "…", skipped });
  return out;
}
