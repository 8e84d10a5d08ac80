import { type CharSet, MAX_CODE_UNIT } from "./charset.js";

/**
 * Partition of the code units into classes that no character set of the pattern tells apart, so that DFA
 * transition rows are indexed by class rather than by code unit.
 */
export class Alphabet {
  /** Number of classes. */
  readonly size: number;
  /** Class of each ASCII code unit (the common case for origins). */
  readonly ascii: Int32Array;
  /** One code unit of each class, to test set membership for the whole class. */
  readonly representative: Uint32Array;
  /** Sorted first code units of the elementary intervals between set boundaries. */
  private readonly starts: Uint32Array;
  private readonly intervalClass: Int32Array;

  constructor(sets: readonly CharSet[]) {
    const cuts = new Set<number>([0]);
    for (const set of sets) {
      for (let i = 0; i < set.length; i += 2) {
        cuts.add(set[i] as number);
        const after = (set[i + 1] as number) + 1;
        if (after <= MAX_CODE_UNIT) cuts.add(after);
      }
    }
    const starts = Uint32Array.from(cuts).sort();
    this.starts = starts;

    // Refine one set at a time: the intervals of a class that fall inside the set move to a new class.
    const cls = new Int32Array(starts.length);
    let nextId = 1;
    for (const set of sets) {
      const moved = new Map<number, number>();
      for (let i = 0; i < set.length; i += 2) {
        const hi = set[i + 1] as number;
        for (
          let p = this.intervalAt(set[i] as number);
          p < starts.length && (starts[p] as number) <= hi;
          p++
        ) {
          const old = cls[p] as number;
          let id = moved.get(old);
          if (id === undefined) {
            id = nextId++;
            moved.set(old, id);
          }
          cls[p] = id;
        }
      }
    }

    const dense = new Map<number, number>();
    const representative: number[] = [];
    for (let p = 0; p < starts.length; p++) {
      let id = dense.get(cls[p] as number);
      if (id === undefined) {
        id = dense.size;
        dense.set(cls[p] as number, id);
        representative.push(starts[p] as number);
      }
      cls[p] = id;
    }
    this.intervalClass = cls;
    this.size = dense.size;
    this.representative = Uint32Array.from(representative);
    this.ascii = new Int32Array(128);
    for (let code = 0; code < 128; code++) this.ascii[code] = cls[this.intervalAt(code)] as number;
  }

  /** Class of any code unit. */
  classOf(code: number): number {
    return code < 128 ? (this.ascii[code] as number) : (this.intervalClass[this.intervalAt(code)] as number);
  }

  /** Index of the interval holding `code`. */
  private intervalAt(code: number): number {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= code) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
