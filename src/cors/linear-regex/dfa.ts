import { Alphabet } from "./alphabet.js";
import { type CharSet, contains } from "./charset.js";
import { ASSERT_END, ASSERT_START, CHAR, MATCH, type Nfa, SPLIT } from "./nfa.js";

/** Most DFA states kept at once; the cache is cleared when it is full. */
export const MAX_DFA_STATES = 2000;
/** Bound on transition table entries, which lowers the state limit for patterns with very many classes. */
const MAX_TABLE_ENTRIES = 1 << 20;
/** Bound on NFA state numbers stored across all DFA states; the cache is also cleared when it is reached. */
const MAX_MEMBER_ENTRIES = 1 << 20;

// Transition table entries are row offsets (state × width) of real states, or one of these codes.
const UNKNOWN = -1;
/** A match has been found: `test` is true whatever follows. */
const MATCHED = -2;
/** No match can start or continue: `test` is false whatever follows. */
const DEAD = -3;

const NO_MEMBERS = new Int32Array(0);

/**
 * Search-semantics matcher simulating the NFA through a lazily built, bounded DFA.
 *
 * A DFA state is the sorted set of NFA states alive at an input position: consuming states, plus `$` assertions
 * that can only be crossed at the end. Every step re-enters the NFA start, which lets a match begin anywhere.
 * A step costs O(1) on a cache hit and O(NFA size) on a miss, so matching is linear in the input for any pattern.
 */
export class LazyDfa {
  private readonly nfa: Nfa;
  private readonly alphabet: Alphabet;
  private readonly ascii: Int32Array;
  private readonly width: number;
  private readonly maxStates: number;
  private table: Int32Array;
  /** Per state: 1 if a match ends when the input ends there (through `$`). */
  private acceptsAtEnd: Uint8Array;
  private readonly members: Int32Array[] = [];
  /** Member-set hash to the states with that hash. */
  private readonly ids = new Map<number, number[]>();
  private count = 0;
  private memberTotal = 0;
  /** Row of the initial state, or MATCHED or DEAD. */
  private initial = DEAD;
  /** Per class, which character sets contain it (cached unless sets × classes is very large). */
  private readonly classSets: (Uint8Array | undefined)[] = [];
  private readonly cacheClassSets: boolean;

  // Scratch space for epsilon closures: a state is on the stack at most once per epoch.
  private readonly mark: Uint32Array;
  private epoch = 0;
  private readonly stack: Int32Array;
  private sp = 0;
  private readonly found: Int32Array;
  private foundCount = 0;

  constructor(nfa: Nfa) {
    this.nfa = nfa;
    this.alphabet = new Alphabet(nfa.sets);
    this.ascii = this.alphabet.ascii;
    this.width = this.alphabet.size;
    this.maxStates = Math.max(16, Math.min(MAX_DFA_STATES, Math.floor(MAX_TABLE_ENTRIES / this.width)));
    const capacity = Math.min(16, this.maxStates);
    this.table = new Int32Array(capacity * this.width).fill(UNKNOWN);
    this.acceptsAtEnd = new Uint8Array(capacity);
    this.cacheClassSets = nfa.sets.length * this.width <= MAX_TABLE_ENTRIES;
    this.mark = new Uint32Array(nfa.size);
    this.stack = new Int32Array(nfa.size);
    this.found = new Int32Array(nfa.size);
    this.reset();
  }

  /** Whether the pattern matches anywhere in `input`. */
  matches(input: string): boolean {
    let table = this.table;
    const ascii = this.ascii;
    let row = this.initial;
    if (row < 0) return row === MATCHED;
    for (let i = 0; i < input.length; i++) {
      const code = input.charCodeAt(i);
      const cls = code < 128 ? (ascii[code] as number) : this.alphabet.classOf(code);
      let next = table[row + cls] as number;
      if (next < 0) {
        if (next === UNKNOWN) {
          next = this.step(row / this.width, cls);
          table = this.table;
        }
        if (next < 0) return next === MATCHED;
      }
      row = next;
    }
    return this.acceptsAtEnd[row / this.width] === 1;
  }

  /** Computes, caches and returns the transition of state `from` on class `cls`. */
  private step(from: number, cls: number): number {
    const { kind, next, arg } = this.nfa;
    const matching = this.setsMatching(cls);
    this.beginClosure();
    for (const q of this.members[from] ?? NO_MEMBERS) {
      if (kind[q] === CHAR && matching[arg[q] as number] === 1) this.push(next[q] as number);
    }
    this.push(this.nfa.start);
    let target: number;
    if (this.close(false, false)) {
      target = MATCHED;
    } else {
      const found = this.sortedFound();
      const hash = hashOf(found);
      target = this.lookup(hash, found);
      if (target === UNKNOWN) {
        const members = found.slice();
        if (this.count >= this.maxStates || this.memberTotal + members.length > MAX_MEMBER_ENTRIES) {
          // Full: start over. `from` no longer exists, so there is no row to record the transition in.
          this.reset();
          return this.addState(members, hash, false);
        }
        target = this.addState(members, hash, false);
      }
    }
    this.table[from * this.width + cls] = target;
    return target;
  }

  private reset(): void {
    this.ids.clear();
    this.table.fill(UNKNOWN);
    this.members.length = 0;
    this.count = 0;
    this.memberTotal = 0;
    this.beginClosure();
    this.push(this.nfa.start);
    // The initial state is the only one where `^` holds. It stays out of `ids`: a later state with the same
    // members would differ in whether `$^` can be crossed at the end.
    this.initial = this.close(true, false) ? MATCHED : this.addState(this.sortedFound().slice(), null, true);
  }

  /** Adds a state unless it is dead; `hash` is null for the initial state. Returns its row or DEAD. */
  private addState(members: Int32Array, hash: number | null, initial: boolean): number {
    const { kind, next } = this.nfa;
    let consuming = false;
    this.beginClosure();
    for (const q of members) {
      if (kind[q] === CHAR) consuming = true;
      else this.push(next[q] as number); // a `$` assertion, crossed if the input ends here
    }
    const atEnd = this.close(initial, true);
    if (!consuming && !atEnd) return DEAD;
    if (this.count * this.width >= this.table.length) this.grow();
    const id = this.count++;
    this.members[id] = members;
    this.memberTotal += members.length;
    this.acceptsAtEnd[id] = atEnd ? 1 : 0;
    if (hash !== null) {
      const bucket = this.ids.get(hash);
      if (bucket === undefined) this.ids.set(hash, [id]);
      else bucket.push(id);
    }
    return id * this.width;
  }

  private lookup(hash: number, found: Int32Array): number {
    const bucket = this.ids.get(hash);
    if (bucket !== undefined) {
      for (const id of bucket) if (sameMembers(this.members[id] ?? NO_MEMBERS, found)) return id * this.width;
    }
    return UNKNOWN;
  }

  private grow(): void {
    const capacity = Math.min(this.acceptsAtEnd.length * 2, this.maxStates);
    const table = new Int32Array(capacity * this.width).fill(UNKNOWN);
    table.set(this.table);
    this.table = table;
    const acceptsAtEnd = new Uint8Array(capacity);
    acceptsAtEnd.set(this.acceptsAtEnd);
    this.acceptsAtEnd = acceptsAtEnd;
  }

  /** Which character sets contain the code units of class `cls`, indexed by set. */
  private setsMatching(cls: number): Uint8Array {
    let matching = this.classSets[cls];
    if (matching === undefined) {
      const { sets } = this.nfa;
      const code = this.alphabet.representative[cls] as number;
      matching = new Uint8Array(sets.length);
      for (let i = 0; i < sets.length; i++) matching[i] = contains(sets[i] as CharSet, code) ? 1 : 0;
      if (this.cacheClassSets) this.classSets[cls] = matching;
    }
    return matching;
  }

  private beginClosure(): void {
    if (++this.epoch === 0xffffffff) {
      this.mark.fill(0);
      this.epoch = 1;
    }
    this.sp = 0;
    this.foundCount = 0;
  }

  private push(q: number): void {
    if (this.mark[q] !== this.epoch) {
      this.mark[q] = this.epoch;
      this.stack[this.sp++] = q;
    }
  }

  /**
   * Follows epsilon moves from the stacked states, collecting consuming states and blocked `$` assertions into
   * `found`. Returns true as soon as the accepting state is reached.
   */
  private close(atStart: boolean, atEnd: boolean): boolean {
    const { kind, next, arg } = this.nfa;
    while (this.sp > 0) {
      const q = this.stack[--this.sp] as number;
      switch (kind[q]) {
        case CHAR:
          this.found[this.foundCount++] = q;
          break;
        case SPLIT:
          this.push(next[q] as number);
          this.push(arg[q] as number);
          break;
        case ASSERT_START:
          if (atStart) this.push(next[q] as number);
          break;
        case ASSERT_END:
          if (atEnd) this.push(next[q] as number);
          else this.found[this.foundCount++] = q;
          break;
        case MATCH:
          return true;
      }
    }
    return false;
  }

  /** The states collected by the last closure, in increasing order (the canonical form of a DFA state). */
  private sortedFound(): Int32Array {
    const n = this.foundCount;
    const found = this.found.subarray(0, n);
    if (n * 16 < this.nfa.size) return found.sort();
    // A large share of the NFA: scanning the marks in state order beats sorting.
    const { kind } = this.nfa;
    const mark = this.mark;
    const epoch = this.epoch;
    let j = 0;
    for (let q = 0; j < n; q++) {
      if (mark[q] === epoch && (kind[q] === CHAR || kind[q] === ASSERT_END)) found[j++] = q;
    }
    return found;
  }
}

function hashOf(members: Int32Array): number {
  let hash = 0x811c9dc5 ^ members.length;
  for (let i = 0; i < members.length; i++) hash = Math.imul(hash ^ (members[i] as number), 0x01000193);
  return hash;
}

function sameMembers(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
