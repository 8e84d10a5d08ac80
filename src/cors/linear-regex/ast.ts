import type { CharSet } from "./charset.js";

/** Parsed pattern. Groups leave no trace: captures do not affect `test`. */
export type RegexNode =
  | { readonly type: "empty" }
  | { readonly type: "chars"; readonly set: CharSet }
  | { readonly type: "concat"; readonly items: readonly RegexNode[] }
  | { readonly type: "alt"; readonly options: readonly RegexNode[] }
  | {
      readonly type: "repeat";
      readonly body: RegexNode;
      readonly min: number;
      /** `Infinity` when unbounded. */
      readonly max: number;
      /** Index of the quantifier in the source, for size errors. */
      readonly position: number;
    }
  | { readonly type: "assert"; readonly kind: "start" | "end" };

export const EMPTY_NODE: RegexNode = { type: "empty" };
