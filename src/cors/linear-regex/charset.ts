/**
 * A set of UTF-16 code units as sorted, disjoint, non-adjacent inclusive ranges:
 * `[lo0, hi0, lo1, hi1, ...]`. The matcher works on code units, as JavaScript does without the `u` flag.
 */
export type CharSet = readonly number[];

export const MAX_CODE_UNIT = 0xffff;

/** Builds a normalised set from possibly overlapping, unordered inclusive ranges. */
export function fromRanges(ranges: readonly (readonly [number, number])[]): CharSet {
  const sorted = [...ranges].sort((x, y) => x[0] - y[0]);
  const out: number[] = [];
  for (const [lo, hi] of sorted) {
    const last = out.length - 1;
    if (out.length > 0 && lo <= (out[last] as number) + 1) {
      if (hi > (out[last] as number)) out[last] = hi;
    } else {
      out.push(lo, hi);
    }
  }
  return out;
}

/** The set holding exactly one code unit. */
export function single(code: number): CharSet {
  return [code, code];
}

/** Union of any number of sets. */
export function union(...sets: readonly CharSet[]): CharSet {
  const ranges: [number, number][] = [];
  for (const set of sets) {
    for (let i = 0; i < set.length; i += 2) ranges.push([set[i] as number, set[i + 1] as number]);
  }
  return fromRanges(ranges);
}

/** Complement within the code-unit range 0..0xFFFF. */
export function negate(set: CharSet): CharSet {
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < set.length; i += 2) {
    const lo = set[i] as number;
    if (lo > next) out.push(next, lo - 1);
    next = (set[i + 1] as number) + 1;
  }
  if (next <= MAX_CODE_UNIT) out.push(next, MAX_CODE_UNIT);
  return out;
}

/** Whether `code` is in the set (binary search over the ranges). */
export function contains(set: CharSet, code: number): boolean {
  let lo = 0;
  let hi = (set.length >> 1) - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (code < (set[mid * 2] as number)) hi = mid - 1;
    else if (code > (set[mid * 2 + 1] as number)) lo = mid + 1;
    else return true;
  }
  return false;
}

const c = (s: string): number => s.charCodeAt(0);

/** `\d` */
export const DIGIT: CharSet = fromRanges([[c("0"), c("9")]]);
/** `\w` (ASCII only, as in JavaScript without the `u` and `i` flags) */
export const WORD: CharSet = fromRanges([
  [c("0"), c("9")],
  [c("A"), c("Z")],
  [c("_"), c("_")],
  [c("a"), c("z")],
]);
/** `\s`: ECMAScript WhiteSpace and LineTerminator. */
export const SPACE: CharSet = fromRanges([
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
]);
/** `.` without the `s` flag: anything but a line terminator. */
export const DOT: CharSet = negate(
  fromRanges([
    [0x0a, 0x0a],
    [0x0d, 0x0d],
    [0x2028, 0x2029],
  ]),
);
