/**
 * Origin parsing and normalization (RFC 6454 serialization, as browsers send it in `Origin`).
 * Comparisons use the normalized form: scheme and host lowercased, default port removed.
 */

/** Longer Origin values are refused outright: a DNS name is at most 253 characters. */
export const MAX_ORIGIN_LENGTH = 1024;

const DEFAULT_PORTS: Readonly<Record<string, string>> = { http: "80", https: "443", ws: "80", wss: "443" };

export interface ParsedOrigin {
  readonly scheme: string;
  readonly host: string;
  /** Empty when the scheme's default port is meant. */
  readonly port: string;
  /** `scheme://host[:port]`, the form compared everywhere. */
  readonly normalized: string;
}

export type OriginParseError =
  | "EMPTY"
  | "TOO_LONG"
  | "NO_SCHEME"
  | "BAD_SCHEME"
  | "HAS_PATH"
  | "HAS_USERINFO"
  | "BAD_HOST"
  | "BAD_PORT";

export interface OriginParseFailure {
  readonly error: OriginParseError;
  readonly detail: string;
}

export type OriginParseResult = ParsedOrigin | OriginParseFailure;

export function isParseError(r: OriginParseResult): r is OriginParseFailure {
  return "error" in r;
}

function isSchemeChar(c: number, first: boolean): boolean {
  const alpha = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
  if (first) return alpha;
  return alpha || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e;
}

/** DNS label characters plus the dots between labels; `_` is tolerated as browsers do. */
function isHostChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x2d ||
    c === 0x2e ||
    c === 0x5f
  );
}

function checkDnsHost(host: string): string | null {
  if (host.length === 0) return "the host is empty";
  if (host.length > 253) return "the host is longer than 253 characters";
  for (let i = 0; i < host.length; i++) {
    if (!isHostChar(host.charCodeAt(i))) return `the host contains ${JSON.stringify(host[i])}`;
  }
  const labels = host.split(".");
  for (const label of labels) {
    if (label.length === 0) return "the host has an empty label";
    if (label.length > 63) return "a host label is longer than 63 characters";
    if (label.startsWith("-") || label.endsWith("-")) return "a host label starts or ends with '-'";
  }
  return null;
}

function checkIpv6(host: string): string | null {
  // Bracketed IPv6 literal; the shape is checked loosely (hex digits, colons, dots for a v4 tail).
  const inner = host.slice(1, -1);
  if (inner.length < 2 || !/^[0-9a-fA-F:.]+$/.test(inner) || !inner.includes(":")) {
    return "the IPv6 address is malformed";
  }
  return null;
}

const LOWER_A = 0x61;
const LOWER_Z = 0x7a;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const DOT = 0x2e;
const DASH = 0x2d;
const COLON = 0x3a;
const SLASH = 0x2f;

/** Whether `value[start, end)` is a valid DNS label: 1 to 63 characters, no `-` at either end. */
function isCanonicalLabel(value: string, start: number, end: number): boolean {
  const length = end - start;
  return length > 0 && length <= 63 && value.charCodeAt(start) !== DASH && value.charCodeAt(end - 1) !== DASH;
}

/**
 * The parse of an origin already in normalized form (what browsers send: lowercase scheme and
 * host name, no default port), or undefined for anything else, which the general parser handles.
 * Hot path: one scan by character code, no intermediate strings; the normalized form is the
 * value itself. Gives exactly what the general parser gives for the values it accepts.
 */
function parseCanonical(value: string): ParsedOrigin | undefined {
  const n = value.length;
  if (n === 0 || n > MAX_ORIGIN_LENGTH) return undefined;
  let c = value.charCodeAt(0);
  if (c < LOWER_A || c > LOWER_Z) return undefined;
  // Scheme: [a-z][a-z0-9+.-]*, then "://".
  let i = 1;
  for (; i < n; i++) {
    c = value.charCodeAt(i);
    if (c === COLON) break;
    const schemeChar =
      (c >= LOWER_A && c <= LOWER_Z) ||
      (c >= DIGIT_0 && c <= DIGIT_9) ||
      c === 0x2b ||
      c === DASH ||
      c === DOT;
    if (!schemeChar) return undefined;
  }
  if (i + 2 >= n || value.charCodeAt(i + 1) !== SLASH || value.charCodeAt(i + 2) !== SLASH) return undefined;
  const sep = i;
  // Host: labels of [a-z0-9_-] between dots (uppercase, brackets and anything else: general parser).
  const hostStart = sep + 3;
  let labelStart = hostStart;
  let j = hostStart;
  for (; j < n; j++) {
    c = value.charCodeAt(j);
    if (c === DOT) {
      if (!isCanonicalLabel(value, labelStart, j)) return undefined;
      labelStart = j + 1;
    } else if (c === COLON) {
      break;
    } else if (
      !((c >= LOWER_A && c <= LOWER_Z) || (c >= DIGIT_0 && c <= DIGIT_9) || c === DASH || c === 0x5f)
    ) {
      return undefined;
    }
  }
  if (!isCanonicalLabel(value, labelStart, j) || j - hostStart > 253) return undefined;
  // The usual schemes as constants rather than fresh slices.
  const scheme =
    sep === 5 && value.startsWith("https")
      ? "https"
      : sep === 4 && value.startsWith("http")
        ? "http"
        : value.slice(0, sep);
  let port = "";
  if (j < n) {
    // Port: 1 to 5 digits without a leading zero, at most 65535, not the scheme's default.
    const digits = n - j - 1;
    if (digits < 1 || digits > 5 || value.charCodeAt(j + 1) === DIGIT_0) return undefined;
    let number = 0;
    for (let k = j + 1; k < n; k++) {
      c = value.charCodeAt(k);
      if (c < DIGIT_0 || c > DIGIT_9) return undefined;
      number = number * 10 + (c - DIGIT_0);
    }
    if (number > 65535) return undefined;
    port = value.slice(j + 1);
    if (DEFAULT_PORTS[scheme] === port) return undefined;
  }
  return { scheme, host: value.slice(hostStart, j), port, normalized: value };
}

/**
 * Parses an origin such as `https://App.Example.com:443` into its normalized parts.
 * `parseOrigin("https://App.Example.com:443").normalized === "https://app.example.com"`.
 * The literal `null` is not parsed here: callers treat it separately.
 */
export function parseOrigin(value: string): OriginParseResult {
  return parseCanonical(value) ?? parseGeneral(value);
}

function parseGeneral(value: string): OriginParseResult {
  if (value.length === 0) return { error: "EMPTY", detail: "the origin is empty" };
  if (value.length > MAX_ORIGIN_LENGTH) {
    return { error: "TOO_LONG", detail: `the origin is longer than ${MAX_ORIGIN_LENGTH} characters` };
  }
  const sep = value.indexOf("://");
  if (sep <= 0) return { error: "NO_SCHEME", detail: "an origin is scheme://host[:port]" };
  for (let i = 0; i < sep; i++) {
    if (!isSchemeChar(value.charCodeAt(i), i === 0)) {
      return {
        error: "BAD_SCHEME",
        detail: `the scheme ${JSON.stringify(value.slice(0, sep))} is not valid`,
      };
    }
  }
  const scheme = value.slice(0, sep).toLowerCase();
  const rest = value.slice(sep + 3);
  for (let i = 0; i < rest.length; i++) {
    const c = rest.charCodeAt(i);
    if (c === 0x2f || c === 0x3f || c === 0x23) {
      return {
        error: "HAS_PATH",
        detail:
          rest.slice(i) === "/"
            ? "an origin has no path: remove the trailing '/'"
            : `an origin has no path, query or fragment (found ${JSON.stringify(rest.slice(i))})`,
      };
    }
    if (c === 0x40) return { error: "HAS_USERINFO", detail: "an origin has no user information ('@')" };
  }
  let host: string;
  let port = "";
  if (rest.startsWith("[")) {
    const close = rest.indexOf("]");
    if (close < 0) return { error: "BAD_HOST", detail: "the IPv6 address has no closing ']'" };
    host = rest.slice(0, close + 1).toLowerCase();
    const after = rest.slice(close + 1);
    if (after !== "") {
      if (!after.startsWith(":"))
        return { error: "BAD_HOST", detail: "unexpected text after the IPv6 address" };
      port = after.slice(1);
      if (port === "") return { error: "BAD_PORT", detail: "the port is empty" };
    }
    const problem = checkIpv6(host);
    if (problem) return { error: "BAD_HOST", detail: problem };
  } else {
    const colon = rest.lastIndexOf(":");
    if (colon >= 0) {
      host = rest.slice(0, colon);
      port = rest.slice(colon + 1);
      if (port === "") return { error: "BAD_PORT", detail: "the port is empty" };
    } else {
      host = rest;
    }
    host = host.toLowerCase();
    const problem = checkDnsHost(host);
    if (problem) return { error: "BAD_HOST", detail: problem };
  }
  if (port !== "") {
    if (!/^[0-9]{1,5}$/.test(port) || Number(port) > 65535) {
      return {
        error: "BAD_PORT",
        detail: `the port ${JSON.stringify(port)} is not a number from 0 to 65535`,
      };
    }
    port = String(Number(port));
    if (DEFAULT_PORTS[scheme] === port) port = "";
  }
  const normalized = port === "" ? `${scheme}://${host}` : `${scheme}://${host}:${port}`;
  return { scheme, host, port, normalized };
}

/** The effective port of a parsed origin, default ports included ("443" for https). */
export function effectivePort(origin: ParsedOrigin): string {
  return origin.port !== "" ? origin.port : (DEFAULT_PORTS[origin.scheme] ?? "");
}

/** True for hosts that are IPv4 dotted quads or bracketed IPv6 literals. */
export function isIpHost(host: string): boolean {
  return host.startsWith("[") || /^[0-9]+(\.[0-9]+){3}$/.test(host);
}
