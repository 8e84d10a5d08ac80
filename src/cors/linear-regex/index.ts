import { LazyDfa } from "./dfa.js";
import { RegexSyntaxError } from "./errors.js";
import { compileNfa } from "./nfa.js";
import { parseRegex } from "./parser.js";

export type { RegexErrorCode } from "./errors.js";
export { RegexSyntaxError };

/** Longest accepted pattern source. */
export const MAX_SOURCE_LENGTH = 4096;

/** A compiled pattern; `test` runs in time linear in the input whatever the pattern. */
export interface LinearRegex {
  readonly source: string;
  test(input: string): boolean;
}

class CompiledRegex implements LinearRegex {
  readonly source: string;
  private readonly dfa: LazyDfa;

  constructor(source: string, dfa: LazyDfa) {
    this.source = source;
    this.dfa = dfa;
  }

  test(input: string): boolean {
    return this.dfa.matches(input);
  }
}

/**
 * Compiles `source` (a subset of JavaScript regex syntax, no flags). `test` then means the same as
 * `new RegExp(source).test(input)`. Throws RegexSyntaxError with code REGEX_SYNTAX, REGEX_UNSUPPORTED
 * or REGEX_TOO_LARGE.
 */
export function compileLinearRegex(source: string): LinearRegex {
  if (source.length > MAX_SOURCE_LENGTH) {
    throw new RegexSyntaxError(
      "REGEX_TOO_LARGE",
      `pattern of ${source.length} characters exceeds the limit of ${MAX_SOURCE_LENGTH} at position ${MAX_SOURCE_LENGTH}`,
      MAX_SOURCE_LENGTH,
    );
  }
  return new CompiledRegex(source, new LazyDfa(compileNfa(parseRegex(source))));
}
