import type { Problem } from "../problems.js";
import { MAX_NESTING_DEPTH, positionOf, syntaxProblem, tooDeep } from "./syntax.js";

export type JsonParseResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly problem: Problem };

/**
 * Parses JSON configuration text with JSON.parse (which needs no stack, however deep), then refuses
 * a value nested deeper than MAX_NESTING_DEPTH, which everything walking it would have to recurse
 * through. JSON.parse does not say where a problem is: `findJsonError` then finds it, with its line
 * and column. A leading byte order mark is ignored.
 *
 * @example
 * parseJsonText('{"apis": [1,]}') // { ok: false, problem: { code: "SYNTAX", line: 1, column: 13, ... } }
 */
export function parseJsonText(text: string): JsonParseResult {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (e) {
    return { ok: false, problem: locate(body, (e as Error).message) };
  }
  if (!nestsDeeperThan(value, MAX_NESTING_DEPTH)) return { ok: true, value };
  return { ok: false, problem: locate(body, tooDeep()) };
}

/** The SYNTAX problem of text JSON.parse refused (or nested too deep), where findJsonError finds it. */
function locate(body: string, fallback: string): Problem {
  const error = findJsonError(body, MAX_NESTING_DEPTH);
  // findJsonError follows JSON.parse's grammar (a property test holds them together); just in case.
  if (error === null) return syntaxProblem("JSON", null, fallback);
  return syntaxProblem("JSON", positionOf(body, error.offset), error.message);
}

/** Whether a parsed JSON value nests objects and lists deeper than `limit` (iteratively). */
function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [node, depth] = next;
    if (typeof node !== "object" || node === null) continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === "object" && child !== null) pending.push([child, depth + 1]);
    }
  }
  return false;
}

export interface JsonError {
  /** Where in the text, in UTF-16 code units. */
  readonly offset: number;
  readonly message: string;
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const HEX4 = /[0-9A-Fa-f]{4}/y;
const ESCAPES = new Set(['"', "\\", "/", "b", "f", "n", "r", "t", "u"]);

function shown(text: string, i: number): string {
  if (i >= text.length) return "the end of the text";
  const c = text.charCodeAt(i);
  return c < 0x20 || c === 0x7f ? `\\u${c.toString(16).padStart(4, "0")}` : `'${text[i]}'`;
}

/**
 * The first syntax error of JSON text, or an object or list nested deeper than `maxDepth`; null when
 * JSON.parse would accept the text. Iterative, so that no nesting exhausts the stack.
 */
export function findJsonError(text: string, maxDepth: number): JsonError | null {
  const n = text.length;
  /** The open objects ('{') and lists ('['). */
  const open: string[] = [];
  let i = 0;
  let wantValue = true;
  /** The value (or field name) wanted follows a comma: a closing bracket there is a trailing comma. */
  let afterComma = false;
  const fail = (offset: number, message: string): JsonError => ({ offset, message });

  const skipSpace = () => {
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
    }
  };
  /** Why the character at i cannot start what is wanted, for the usual mistakes. */
  const mistake = (): string | null => {
    const c = text[i];
    if (afterComma && (c === "]" || c === "}")) {
      return "a trailing comma is not allowed in JSON: remove the ',' before this";
    }
    if (c === "/") return "JSON has no comments (YAML has: # comment)";
    if (c === "'") return "strings and field names are in double quotes in JSON";
    return null;
  };
  const string = (): JsonError | null => {
    const start = i;
    for (i++; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return null;
      }
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === undefined || !ESCAPES.has(e)) {
          return fail(
            i,
            `unknown escape ${shown(text, i + 1)} in a string (JSON has \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)`,
          );
        }
        if (e === "u") {
          HEX4.lastIndex = i + 2;
          if (!HEX4.test(text)) return fail(i, "\\u in a string is followed by four hexadecimal digits");
          i += 5;
        } else {
          i++;
        }
      } else if (c < 0x20) {
        return fail(i, `control character ${shown(text, i)} in a string: write it as \\n, \\t or \\u00XX`);
      }
    }
    return fail(start, "a string is not closed: its closing '\"' is missing");
  };
  /** A field name and its colon. */
  const fieldName = (): JsonError | null => {
    if (text[i] !== '"') {
      return fail(i, mistake() ?? `expected a field name in double quotes, found ${shown(text, i)}`);
    }
    const error = string();
    if (error !== null) return error;
    skipSpace();
    if (text[i] !== ":") return fail(i, `expected ':' after the field name, found ${shown(text, i)}`);
    i++;
    return null;
  };

  for (;;) {
    skipSpace();
    if (wantValue) {
      const c = text[i];
      if (c === "{" || c === "[") {
        if (open.length >= maxDepth) return fail(i, tooDeep());
        open.push(c);
        i++;
        afterComma = false;
        skipSpace();
        if (text[i] === (c === "{" ? "}" : "]")) {
          open.pop();
          i++;
          wantValue = false;
        } else if (c === "{") {
          const error = fieldName();
          if (error !== null) return error;
        }
        continue;
      }
      if (c === '"') {
        const error = string();
        if (error !== null) return error;
      } else if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) {
        NUMBER.lastIndex = i;
        if (!NUMBER.test(text)) return fail(i, "a number is malformed (JSON numbers look like -12.5e3)");
        i = NUMBER.lastIndex;
      } else if (text.startsWith("true", i)) i += 4;
      else if (text.startsWith("false", i)) i += 5;
      else if (text.startsWith("null", i)) i += 4;
      else if (c === undefined) {
        return fail(i, "unexpected end of the text: a value is missing");
      } else {
        return fail(
          i,
          mistake() ??
            `unexpected ${shown(text, i)}: a value is a string in double quotes, a number, true, false, null, an object or a list`,
        );
      }
      wantValue = false;
      afterComma = false;
      continue;
    }
    const top = open[open.length - 1];
    if (top === undefined) {
      return i < n ? fail(i, `unexpected ${shown(text, i)} after the end of the JSON value`) : null;
    }
    const close = top === "{" ? "}" : "]";
    const c = text[i];
    if (c === close) {
      open.pop();
      i++;
    } else if (c === ",") {
      i++;
      afterComma = true;
      wantValue = true;
      if (top === "{") {
        skipSpace();
        const error = fieldName();
        if (error !== null) return error;
        afterComma = false;
      }
    } else if (c === undefined) {
      return fail(i, `unexpected end of the text: '${close}' is missing`);
    } else {
      return fail(
        i,
        c === "/"
          ? "JSON has no comments (YAML has: # comment)"
          : `expected ',' or '${close}' after a value, found ${shown(text, i)}`,
      );
    }
  }
}
