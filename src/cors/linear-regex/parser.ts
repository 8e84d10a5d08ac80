import { EMPTY_NODE, type RegexNode } from "./ast.js";
import { type CharSet, DIGIT, DOT, negate, SPACE, single, union, WORD } from "./charset.js";
import { RegexSyntaxError } from "./errors.js";

/**
 * Parses a JavaScript regular expression source (no flags, so the Annex B grammar applies) into an AST.
 * Throws RegexSyntaxError: REGEX_SYNTAX for what JavaScript rejects, REGEX_UNSUPPORTED for constructs
 * an automaton cannot run (or that are almost certainly typos, like `\a`).
 */
export function parseRegex(source: string): RegexNode {
  return new Parser(source).parse();
}

interface ClassAtom {
  readonly set: CharSet;
  /** The code unit when the atom is exactly one, so it may bound a range. */
  readonly single: number | null;
}

const CLASS_ESCAPES: Readonly<Record<string, CharSet>> = {
  d: DIGIT,
  D: negate(DIGIT),
  w: WORD,
  W: negate(WORD),
  s: SPACE,
  S: negate(SPACE),
};
const CONTROL_ESCAPES: Readonly<Record<string, number>> = { t: 9, n: 10, v: 11, f: 12, r: 13 };
const BRACED_QUANTIFIER = /\{(\d+)(?:(,)(\d*))?\}/y;
const GROUP_NAME = /^[$_\p{ID_Start}](?:[$\p{ID_Continue}]|\u200c|\u200d)*$/u;
const HEX = /^[0-9a-fA-F]+$/;
const UNICODE_ESCAPE = /\\u(?:\{([0-9a-fA-F]+)\}|([0-9a-fA-F]{4}))/y;
const DIGITS = /\d+/y;
/** Deepest group nesting accepted; the parser and compiler recurse once per level. */
export const MAX_GROUP_DEPTH = 256;

const isDigit = (code: number): boolean => code >= 0x30 && code <= 0x39;
const isOctal = (code: number): boolean => code >= 0x30 && code <= 0x37;
const isAsciiLetter = (code: number): boolean => (code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a;
const chars = (set: CharSet): RegexNode => ({ type: "chars", set });
const one = (code: number): ClassAtom => ({ set: single(code), single: code });

/** Compares two decimal digit strings by value, without precision loss. */
function compareDecimal(a: string, b: string): number {
  const x = a.replace(/^0+(?=.)/, "");
  const y = b.replace(/^0+(?=.)/, "");
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Resolves the `\uXXXX` and `\u{X...}` escapes allowed in group names; null if another escape is present. */
function decodeGroupName(raw: string): string | null {
  let name = "";
  for (let i = 0; i < raw.length; ) {
    if (raw[i] !== "\\") {
      name += raw[i];
      i++;
      continue;
    }
    UNICODE_ESCAPE.lastIndex = i;
    const m = UNICODE_ESCAPE.exec(raw);
    const codePoint = m ? Number.parseInt(m[1] ?? m[2] ?? "", 16) : Number.NaN;
    if (!m || !(codePoint <= 0x10ffff)) return null;
    name += String.fromCodePoint(codePoint);
    i = UNICODE_ESCAPE.lastIndex;
  }
  return name;
}

class Parser {
  private readonly src: string;
  private pos = 0;
  private depth = 0;
  private readonly groupNames = new Set<string>();
  /** `\k<name>` occurrences, checked against the group names once the whole pattern is read. */
  private readonly namedReferences: { name: string; position: number }[] = [];
  private namedGroupsPresent: boolean | undefined;
  /**
   * First unsupported construct seen. Parsing goes on past it so that a JavaScript syntax error anywhere
   * in the pattern is reported as REGEX_SYNTAX in preference.
   */
  private unsupported: RegexSyntaxError | null = null;

  constructor(source: string) {
    this.src = source;
  }

  parse(): RegexNode {
    const node = this.disjunction();
    // Only an unmatched ')' can stop a top-level disjunction early.
    if (this.pos < this.src.length) throw this.syntax("unmatched ')'", this.pos);
    for (const ref of this.namedReferences) {
      if (!this.groupNames.has(ref.name))
        throw this.syntax(`backreference to unknown group '${ref.name}'`, ref.position);
    }
    if (this.unsupported) throw this.unsupported;
    return node;
  }

  private syntax(what: string, position: number): RegexSyntaxError {
    return new RegexSyntaxError("REGEX_SYNTAX", `${what} at position ${position}`, position);
  }

  private refuse(what: string, position: number, why = "cannot be matched in linear time"): void {
    this.unsupported ??= new RegexSyntaxError(
      "REGEX_UNSUPPORTED",
      `${what} at position ${position} ${why}`,
      position,
    );
  }

  private disjunction(): RegexNode {
    const options = [this.alternative()];
    while (this.src[this.pos] === "|") {
      this.pos++;
      options.push(this.alternative());
    }
    return options.length === 1 ? (options[0] as RegexNode) : { type: "alt", options };
  }

  private alternative(): RegexNode {
    const items: RegexNode[] = [];
    for (;;) {
      const ch = this.src[this.pos];
      if (ch === undefined || ch === "|" || ch === ")") break;
      const term = this.term();
      if (term.type !== "empty") items.push(term);
    }
    if (items.length === 0) return EMPTY_NODE;
    return items.length === 1 ? (items[0] as RegexNode) : { type: "concat", items };
  }

  /** A term; assertions are not quantifiable, every other atom may take a quantifier. */
  private term(): RegexNode {
    const src = this.src;
    const start = this.pos;
    const ch = src[start];
    if (ch === "^" || ch === "$") {
      this.pos++;
      return { type: "assert", kind: ch === "^" ? "start" : "end" };
    }
    if (ch === "\\" && (src[start + 1] === "b" || src[start + 1] === "B")) {
      this.refuse(`word boundary \\${src[start + 1]}`, start);
      this.pos += 2;
      return EMPTY_NODE;
    }
    if (src.startsWith("(?<=", start) || src.startsWith("(?<!", start)) {
      this.refuse(`lookbehind ${src.slice(start, start + 4)}`, start);
      this.openGroup(start);
      this.pos += 4;
      this.disjunction();
      this.closeGroup(start);
      return EMPTY_NODE;
    }
    return this.quantified(this.atom());
  }

  private atom(): RegexNode {
    const start = this.pos;
    const ch = this.src[start] as string;
    switch (ch) {
      case "*":
      case "+":
      case "?":
        throw this.syntax(`nothing to repeat before '${ch}'`, start);
      case "{":
        if (this.braced(start)) throw this.syntax("nothing to repeat before '{'", start);
        this.pos++;
        return chars(single(0x7b)); // a '{' that does not form a quantifier is a literal
      case ".":
        this.pos++;
        return chars(DOT);
      case "[":
        return chars(this.characterClass());
      case "(":
        return this.group();
      case "\\":
        return this.atomEscape();
      default:
        this.pos++;
        return chars(single(ch.charCodeAt(0)));
    }
  }

  private quantified(body: RegexNode): RegexNode {
    const position = this.pos;
    const ch = this.src[position];
    let min: number;
    let max: number;
    if (ch === "*" || ch === "+" || ch === "?") {
      min = ch === "+" ? 1 : 0;
      max = ch === "?" ? 1 : Number.POSITIVE_INFINITY;
      this.pos++;
    } else if (ch === "{") {
      const q = this.braced(position);
      if (!q) return body;
      ({ min, max } = q);
      this.pos = q.end;
    } else {
      return body;
    }
    if (this.src[this.pos] === "?") this.pos++; // laziness does not change whether there is a match
    return { type: "repeat", body, min, max, position };
  }

  /** Reads `{n}`, `{n,}` or `{n,m}` at `at`; null when the text there is not a quantifier (then '{' is a literal). */
  private braced(at: number): { min: number; max: number; end: number } | null {
    BRACED_QUANTIFIER.lastIndex = at;
    const m = BRACED_QUANTIFIER.exec(this.src);
    if (!m) return null;
    const low = m[1] as string;
    const high = m[3];
    const min = Number(low);
    if (m[2] === undefined) return { min, max: min, end: BRACED_QUANTIFIER.lastIndex };
    if (!high) return { min, max: Number.POSITIVE_INFINITY, end: BRACED_QUANTIFIER.lastIndex };
    if (compareDecimal(low, high) > 0) throw this.syntax(`numbers out of order in quantifier ${m[0]}`, at);
    return { min, max: Number(high), end: BRACED_QUANTIFIER.lastIndex };
  }

  private group(): RegexNode {
    const src = this.src;
    const start = this.pos;
    this.openGroup(start);
    if (src[start + 1] !== "?") {
      this.pos = start + 1;
    } else {
      const kind = src[start + 2];
      if (kind === ":") {
        this.pos = start + 3;
      } else if (kind === "=" || kind === "!") {
        // Lookahead is quantifiable in Annex B, so it is handled here rather than in term().
        this.refuse(`lookahead (?${kind}`, start);
        this.pos = start + 3;
        this.disjunction();
        this.closeGroup(start);
        return EMPTY_NODE;
      } else if (kind === "<") {
        this.groupName(start);
      } else {
        throw this.syntax(`invalid group '(?${kind ?? ""}' (flags and modifiers are not supported)`, start);
      }
    }
    const body = this.disjunction();
    this.closeGroup(start);
    return body;
  }

  private groupName(start: number): void {
    const from = start + 3;
    const close = this.src.indexOf(">", from);
    if (close < 0) throw this.syntax("unterminated group name", start);
    const raw = this.src.slice(from, close);
    const name = decodeGroupName(raw);
    if (name === null || !GROUP_NAME.test(name)) throw this.syntax(`invalid group name '${raw}'`, start);
    if (this.groupNames.has(name)) throw this.syntax(`duplicate group name '${raw}'`, start);
    this.groupNames.add(name);
    this.pos = close + 1;
  }

  private openGroup(start: number): void {
    if (++this.depth > MAX_GROUP_DEPTH) {
      throw new RegexSyntaxError(
        "REGEX_TOO_LARGE",
        `group at position ${start} is nested deeper than ${MAX_GROUP_DEPTH} levels`,
        start,
      );
    }
  }

  private closeGroup(start: number): void {
    if (this.src[this.pos] !== ")") throw this.syntax("unterminated group", start);
    this.pos++;
    this.depth--;
  }

  private atomEscape(): RegexNode {
    const start = this.pos;
    const e = this.src[start + 1];
    if (e === undefined) throw this.syntax("'\\' at end of pattern", start);
    const set = CLASS_ESCAPES[e];
    if (set) {
      this.pos += 2;
      return chars(set);
    }
    if (e >= "1" && e <= "9") {
      DIGITS.lastIndex = start + 1;
      DIGITS.exec(this.src);
      this.refuse(`backreference \\${this.src.slice(start + 1, DIGITS.lastIndex)}`, start);
      this.pos = DIGITS.lastIndex;
      return EMPTY_NODE;
    }
    return chars(single(this.characterEscape(false)));
  }

  private characterClass(): CharSet {
    const src = this.src;
    const start = this.pos;
    this.pos++;
    const negated = src[this.pos] === "^";
    if (negated) this.pos++;
    const parts: CharSet[] = [];
    for (;;) {
      const ch = src[this.pos];
      if (ch === undefined) throw this.syntax("unterminated character class", start);
      if (ch === "]") {
        this.pos++;
        break;
      }
      const atomStart = this.pos;
      const a = this.classAtom();
      if (src[this.pos] === "-" && this.pos + 1 < src.length && src[this.pos + 1] !== "]") {
        this.pos++;
        const b = this.classAtom();
        if (a.single !== null && b.single !== null) {
          if (a.single > b.single) {
            throw this.syntax(
              `range out of order in character class ${src.slice(atomStart, this.pos)}`,
              atomStart,
            );
          }
          parts.push([a.single, b.single]);
        } else {
          // Without the u flag, JavaScript reads a "range" with a class escape end, like [\d-z], as a union.
          parts.push(a.set, b.set, single(0x2d));
        }
      } else {
        parts.push(a.set);
      }
    }
    const set = union(...parts);
    return negated ? negate(set) : set;
  }

  private classAtom(): ClassAtom {
    const src = this.src;
    const start = this.pos;
    const ch = src[start] as string;
    if (ch !== "\\") {
      this.pos++;
      return one(ch.charCodeAt(0));
    }
    const e = src[start + 1];
    if (e === undefined) throw this.syntax("'\\' at end of pattern", start);
    if (e === "b") {
      this.pos += 2;
      return one(0x08); // [\b] is backspace
    }
    const set = CLASS_ESCAPES[e];
    if (set) {
      this.pos += 2;
      return { set, single: null };
    }
    if (e >= "1" && e <= "9") {
      this.refuse(`octal escape \\${e}`, start, "is not supported");
      this.pos = start + 1;
      return one(this.legacyOctal());
    }
    return one(this.characterEscape(true));
  }

  /**
   * A character escape at `pos` (which is at the backslash); returns its code unit.
   * Unsupported forms are refused but parsed as JavaScript would, so later syntax errors still surface.
   */
  private characterEscape(inClass: boolean): number {
    const src = this.src;
    const start = this.pos;
    const e = src[start + 1] as string;
    this.pos = start + 2;
    const control = CONTROL_ESCAPES[e];
    if (control !== undefined) return control;
    switch (e) {
      case "c": {
        const letter = src.charCodeAt(start + 2);
        if (isAsciiLetter(letter) || (inClass && (isDigit(letter) || letter === 0x5f))) {
          this.pos = start + 3;
          return letter % 32;
        }
        this.refuse("'\\c' without a control letter", start, "is not supported");
        this.pos = start + 1; // JavaScript reads a literal backslash followed by 'c'
        return 0x5c;
      }
      case "0":
        if (!isDigit(src.charCodeAt(start + 2))) return 0;
        this.refuse(`octal escape \\0${src[start + 2]}`, start, "is not supported");
        this.pos = start + 1;
        return this.legacyOctal();
      case "x":
      case "u": {
        const hex = src.slice(start + 2, start + (e === "x" ? 4 : 6));
        if (hex.length === (e === "x" ? 2 : 4) && HEX.test(hex)) {
          this.pos = start + 2 + hex.length;
          return Number.parseInt(hex, 16);
        }
        this.refuse(`incomplete escape \\${e}`, start, "is not supported");
        return e.charCodeAt(0);
      }
      case "k":
        return this.namedBackreference(start, inClass);
      case "p":
      case "P":
        this.refuse(`unicode property escape \\${e}`, start, "is not supported (it needs the u flag)");
        return e.charCodeAt(0);
    }
    if (isAsciiLetter(e.charCodeAt(0))) {
      this.refuse(`unknown escape \\${e}`, start, `is not supported (JavaScript reads it as a plain '${e}')`);
    }
    return e.charCodeAt(0); // identity escape: punctuation, whitespace, non-ASCII
  }

  /**
   * `\k` at `start`. It is a named backreference when the pattern has named groups and a plain 'k' otherwise,
   * as in JavaScript without the u flag.
   */
  private namedBackreference(start: number, inClass: boolean): number {
    const src = this.src;
    if (!this.hasNamedGroups()) {
      this.refuse("unknown escape \\k", start, "is not supported (JavaScript reads it as a plain 'k')");
      return 0x6b;
    }
    if (inClass) throw this.syntax("'\\k' in a character class", start);
    const close = src[start + 2] === "<" ? src.indexOf(">", start + 3) : -1;
    const name = close < 0 ? null : decodeGroupName(src.slice(start + 3, close));
    if (name === null || !GROUP_NAME.test(name)) throw this.syntax("invalid named backreference", start);
    this.namedReferences.push({ name, position: start });
    this.refuse(`backreference ${src.slice(start, close + 1)}`, start);
    this.pos = close + 1;
    return 0x6b;
  }

  /** Whether the pattern defines a named group anywhere (escapes and classes skipped), which changes `\k`. */
  private hasNamedGroups(): boolean {
    if (this.namedGroupsPresent === undefined) {
      const src = this.src;
      let inClass = false;
      this.namedGroupsPresent = false;
      for (let i = 0; i < src.length; i++) {
        const ch = src[i];
        if (ch === "\\") i++;
        else if (inClass) inClass = ch !== "]";
        else if (ch === "[") inClass = true;
        else if (ch === "(" && src.startsWith("?<", i + 1) && src[i + 3] !== "=" && src[i + 3] !== "!") {
          this.namedGroupsPresent = true;
          break;
        }
      }
    }
    return this.namedGroupsPresent;
  }

  /** Annex B LegacyOctalEscapeSequence (or identity \8, \9) with `pos` on its first digit. */
  private legacyOctal(): number {
    const src = this.src;
    const first = src.charCodeAt(this.pos);
    if (!isOctal(first)) {
      this.pos++;
      return first;
    }
    let value = first - 0x30;
    const maxDigits = first <= 0x33 ? 3 : 2;
    let digits = 1;
    while (digits < maxDigits && isOctal(src.charCodeAt(this.pos + digits))) {
      value = value * 8 + src.charCodeAt(this.pos + digits) - 0x30;
      digits++;
    }
    this.pos += digits;
    return value;
  }
}
