/**
 * JSON text written straight into a buffer, a byte per character, for the access log's lines: no string
 * is made for a line, held until its write, joined with others or converted on the way out. Everything
 * written is ASCII: quotes, backslashes, control characters and anything beyond ASCII are escaped
 * (jsonString), so no byte of a logged value can pass for a terminal control sequence.
 *
 * The loops index the buffer and read `charCodeAt` in JavaScript: a native call (`buffer.write`) per
 * piece costs more than the piece's bytes (docs/benchmarks.md, the access log).
 */

/**
 * What a JSON string must escape (a quote, a backslash, a control character), and anything beyond
 * ASCII: every line stays ASCII.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
const NOT_PLAIN = /[\u0000-\u001f"\\\u007f-\uffff]/;
const BEYOND_ASCII = /[\u007f-\uffff]/g;

function unicodeEscape(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/** `value` as a JSON string, quotes included, in ASCII. */
export function jsonString(value: string): string {
  if (!NOT_PLAIN.test(value)) return `"${value}"`;
  // JSON.stringify escapes quotes, backslashes, controls and lone surrogates; the rest is made ASCII.
  return JSON.stringify(value).replace(BEYOND_ASCII, unicodeEscape);
}

/** The most bytes `putJsonString` writes for a string of `length` characters (`\u0000` is six per character). */
export function jsonStringBound(length: number): number {
  return 2 + 6 * length;
}

/** Writes an ASCII string at `at`; returns the offset after it. */
export function putAscii(buf: Uint8Array, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) buf[at++] = text.charCodeAt(i);
  return at;
}

/** Writes `value` as jsonString makes it, at `at`; returns the offset after it. */
export function putJsonString(buf: Uint8Array, at: number, value: string): number {
  const start = at;
  buf[at++] = 0x22;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    // Anything to escape (rare: the values are mostly plain): start again with the escaped text.
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return putAscii(buf, start, jsonString(value));
    buf[at++] = c;
  }
  buf[at++] = 0x22;
  return at;
}

/** The most bytes `putMillis` writes. */
export const MILLIS_BOUND = 24;

/** Writes a non-negative integer below 2^30 in decimal. */
function putSmallInteger(buf: Uint8Array, at: number, n: number): number {
  let digits = 1;
  for (let rest = n; rest >= 10; rest = (rest / 10) | 0) digits++;
  let end = at + digits;
  for (let rest = n; end > at; rest = (rest / 10) | 0) buf[--end] = 48 + (rest % 10);
  return at + digits;
}

/**
 * A duration in milliseconds with at most three decimals: the number `Math.round(ms * 1000) / 1000`
 * is, as String(number) prints it, written from integers (printing a fractional double costs several
 * times more). Not a finite number: `null`.
 */
export function putMillis(buf: Uint8Array, at: number, ms: number): number {
  const micros = Math.round(ms * 1000);
  if (!(micros >= 0 && micros <= 0x3fffffff)) {
    return putAscii(buf, at, Number.isFinite(micros) ? String(micros / 1000) : "null");
  }
  const whole = (micros / 1000) | 0;
  const fraction = micros - whole * 1000;
  at = putSmallInteger(buf, at, whole);
  if (fraction === 0) return at;
  // 0.120 is 0.12: trailing zeros dropped, as String(number) prints it.
  const hundredths = ((fraction / 10) | 0) % 10;
  const thousandths = fraction % 10;
  buf[at++] = 0x2e;
  buf[at++] = 48 + ((fraction / 100) | 0);
  if (hundredths === 0 && thousandths === 0) return at;
  buf[at++] = 48 + hundredths;
  if (thousandths !== 0) buf[at++] = 48 + thousandths;
  return at;
}
