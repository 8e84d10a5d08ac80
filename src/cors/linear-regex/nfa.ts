import type { RegexNode } from "./ast.js";
import type { CharSet } from "./charset.js";
import { RegexSyntaxError } from "./errors.js";

/** Budget for NFA states; counted repetition is expanded into copies, so this bounds `{n,m}`. */
export const MAX_NFA_STATES = 20_000;

/** Consumes one code unit from `sets[arg]`, then goes to `next`. */
export const CHAR = 0;
/** Epsilon to both `next` and `arg`. */
export const SPLIT = 1;
/** Epsilon to `next`, only at input position 0 (`^`). */
export const ASSERT_START = 2;
/** Epsilon to `next`, only at the end of the input (`$`). */
export const ASSERT_END = 3;
/** Accepting state. */
export const MATCH = 4;

/** Thompson NFA, struct-of-arrays. */
export interface Nfa {
  readonly kind: Uint8Array;
  readonly next: Int32Array;
  /** CHAR: index into `sets`; SPLIT: second target; otherwise unused. */
  readonly arg: Int32Array;
  readonly sets: readonly CharSet[];
  readonly start: number;
  readonly size: number;
}

/** Compiles an AST into a Thompson NFA. Throws REGEX_TOO_LARGE when it would exceed MAX_NFA_STATES states. */
export function compileNfa(ast: RegexNode): Nfa {
  const b = new Builder();
  const match = b.add(MATCH, -1, -1);
  const start = b.build(ast, match);
  return {
    kind: Uint8Array.from(b.kind),
    next: Int32Array.from(b.next),
    arg: Int32Array.from(b.arg),
    sets: b.sets,
    start,
    size: b.kind.length,
  };
}

class Builder {
  readonly kind: number[] = [];
  readonly next: number[] = [];
  readonly arg: number[] = [];
  readonly sets: CharSet[] = [];
  private readonly setIds = new Map<string, number>();
  private readonly consumesMemo = new WeakMap<RegexNode, boolean>();
  /** Position of the outermost quantifier being expanded: the one to blame when the budget runs out. */
  private blame = -1;

  add(kind: number, next: number, arg: number): number {
    if (this.kind.length >= MAX_NFA_STATES) {
      const position = Math.max(this.blame, 0);
      throw new RegexSyntaxError(
        "REGEX_TOO_LARGE",
        `repetition at position ${position} expands the automaton beyond ${MAX_NFA_STATES} states`,
        position,
      );
    }
    this.kind.push(kind);
    this.next.push(next);
    this.arg.push(arg);
    return this.kind.length - 1;
  }

  /** Compiles `node` to continue into state `next` and returns its entry state (built back to front). */
  build(node: RegexNode, next: number): number {
    switch (node.type) {
      case "empty":
        return next;
      case "chars":
        return this.add(CHAR, next, this.setId(node.set));
      case "assert":
        return this.add(node.kind === "start" ? ASSERT_START : ASSERT_END, next, -1);
      case "concat": {
        let entry = next;
        for (let i = node.items.length - 1; i >= 0; i--)
          entry = this.build(node.items[i] as RegexNode, entry);
        return entry;
      }
      case "alt": {
        const entries = node.options.map((option) => this.build(option, next));
        let entry = entries[entries.length - 1] as number;
        for (let i = entries.length - 2; i >= 0; i--) entry = this.add(SPLIT, entries[i] as number, entry);
        return entry;
      }
      case "repeat":
        return this.repeat(node, next);
    }
  }

  private repeat(node: Extract<RegexNode, { type: "repeat" }>, next: number): number {
    const outermost = this.blame < 0;
    if (outermost) this.blame = node.position;
    let { min, max } = node;
    if (!this.consumes(node.body)) {
      // A body that only matches the empty string succeeds or fails the same way on every iteration.
      min = Math.min(min, 1);
      max = Math.min(max, 1);
    }
    let entry: number;
    let copies: number;
    if (max === Number.POSITIVE_INFINITY) {
      // x{n,} = x{n-1} followed by x+, where x+ loops back through one shared copy of x.
      const loop = this.add(SPLIT, -1, next);
      const body = this.build(node.body, loop);
      this.next[loop] = body;
      entry = min > 0 ? body : loop;
      copies = Math.max(min - 1, 0);
    } else {
      // x{0,k} = (x(x(...)?)?)?
      entry = next;
      for (let i = min; i < max; i++) entry = this.add(SPLIT, this.build(node.body, entry), next);
      copies = min;
    }
    for (let i = 0; i < copies; i++) entry = this.build(node.body, entry);
    if (outermost) this.blame = -1;
    return entry;
  }

  private consumes(node: RegexNode): boolean {
    let result = this.consumesMemo.get(node);
    if (result === undefined) {
      switch (node.type) {
        case "chars":
          result = true;
          break;
        case "concat":
          result = node.items.some((item) => this.consumes(item));
          break;
        case "alt":
          result = node.options.some((option) => this.consumes(option));
          break;
        case "repeat":
          result = node.max > 0 && this.consumes(node.body);
          break;
        default:
          result = false;
      }
      this.consumesMemo.set(node, result);
    }
    return result;
  }

  private setId(set: CharSet): number {
    const key = set.join(",");
    let id = this.setIds.get(key);
    if (id === undefined) {
      id = this.sets.length;
      this.sets.push(set);
      this.setIds.set(key, id);
    }
    return id;
  }
}
