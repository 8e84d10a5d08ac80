import { forbiddenRequestHeaderReason } from "../cors/forbidden.js";
import type { ExplainInput } from "./explain.js";

/**
 * Turns what a user pastes into the console's explain page into a request to explain: a Chromium
 * console error ("Access to fetch at 'U' from origin 'O' has been blocked by CORS policy: ...") or a
 * curl command (as "Copy as cURL" in DevTools writes it, or by hand). Pure, total: any string gives
 * either a request or a refusal that says what was expected; it never throws.
 */

export type PasteKind = "chromium" | "curl";

export type PasteResult =
  | {
      readonly ok: true;
      readonly kind: PasteKind;
      readonly request: ExplainInput;
      /** What was inferred rather than read, e.g. "the method is not in the message: GET assumed". */
      readonly notes: readonly string[];
    }
  | { readonly ok: false; readonly reason: string };

/** Longer pastes are refused: a console error or a curl command is a few KB at most. */
export const MAX_PASTE_LENGTH = 65_536;

const NOT_RECOGNISED =
  "paste a Chromium console error (Access to fetch at '…' from origin '…' has been blocked by CORS policy: …) or a curl command (curl -H 'Origin: …' https://…)";

export function parsePaste(text: string): PasteResult {
  if (typeof text !== "string") return { ok: false, reason: NOT_RECOGNISED };
  if (text.length > MAX_PASTE_LENGTH) {
    return {
      ok: false,
      reason: `the text is ${text.length} characters; at most ${MAX_PASTE_LENGTH} are read`,
    };
  }
  const trimmed = text.trim();
  if (/^(?:\$\s*)?curl(?:\.exe)?\s/i.test(trimmed) || /^(?:\$\s*)?curl(?:\.exe)?$/i.test(trimmed)) {
    return parseCurl(trimmed.replace(/^\$\s*/, ""));
  }
  if (/has been blocked by CORS policy/i.test(trimmed) || /^Access to \S+ at '/i.test(trimmed)) {
    return parseChromium(trimmed);
  }
  return { ok: false, reason: `not recognised: ${NOT_RECOGNISED}` };
}

// ---- Chromium ------------------------------------------------------------------------------------

const CHROMIUM =
  /Access to (fetch|XMLHttpRequest|font|image|script|resource) at '([^']*)'(?: \(redirected from '[^']*'\))? from origin '([^']*)' has been blocked by CORS policy:?\s*([\s\S]*)/i;
/** DevTools prints the failed request on its own line: `GET http://… net::ERR_FAILED 403 (Forbidden)`. */
const FAILED_LINE = /\b([A-Z]{3,10}) (https?:\/\/\S+) net::ERR_FAILED/;
const METHOD_NOT_ALLOWED = /Method (\S+) is not allowed by Access-Control-Allow-Methods/i;
const HEADER_NOT_ALLOWED = /Request header field (\S+) is not allowed by Access-Control-Allow-Headers/i;
const CREDENTIALS = /credentials mode is 'include'/i;

function parseChromium(text: string): PasteResult {
  const m = CHROMIUM.exec(text);
  if (!m) {
    return {
      ok: false,
      reason: `a CORS error, but not in Chromium's words: expected "Access to fetch at 'URL' from origin 'ORIGIN' has been blocked by CORS policy: …"`,
    };
  }
  const [, , rawUrl = "", origin = "", ending = ""] = m;
  const url = parseUrl(rawUrl);
  if (!url)
    return { ok: false, reason: `the URL in the message (${JSON.stringify(rawUrl)}) is not an http(s) URL` };
  if (origin === "") return { ok: false, reason: "the message names no origin" };
  const notes: string[] = [];
  const headers: { name: string; value?: string }[] = [];
  let method: string | undefined;
  const failed = FAILED_LINE.exec(text);
  if (failed?.[1] && failed[2] === rawUrl) method = failed[1];
  const methodRefused = METHOD_NOT_ALLOWED.exec(ending);
  if (methodRefused?.[1]) method = methodRefused[1];
  const headerRefused = HEADER_NOT_ALLOWED.exec(ending);
  if (headerRefused?.[1]) headers.push({ name: headerRefused[1], value: "..." });
  const preflight = /preflight/i.test(ending);
  if (method === undefined) {
    method = "GET";
    notes.push(
      preflight
        ? "the message names no method: GET assumed (a preflight means the page sent a non-simple request: set the method and headers it used)"
        : "the message names no method: GET assumed",
    );
  }
  if (preflight && headers.length === 0 && ["GET", "HEAD", "POST"].includes(method)) {
    notes.push(
      "Chromium sent a preflight, so the page set a header or a method that needs one: add it below",
    );
  }
  const credentials = CREDENTIALS.test(ending);
  return {
    ok: true,
    kind: "chromium",
    request: {
      origin,
      method,
      path: url.path,
      host: url.host,
      ...(headers.length > 0 ? { headers } : {}),
      ...(credentials ? { credentials: true } : {}),
    },
    notes,
  };
}

function parseUrl(raw: string): { host: string; path: string } | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  return { host: url.host, path: `${url.pathname}${url.search}` };
}

// ---- curl ----------------------------------------------------------------------------------------

/** Splits a POSIX shell command line into words: quotes, backslash escapes, line continuations. */
export function shellWords(line: string): { words: string[] } | { error: string } {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i] as string;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return { error: "a single quote is not closed" };
      word += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      let closed = false;
      while (i < line.length) {
        const d = line[i] as string;
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === "\\" && i + 1 < line.length && '"\\$`\n'.includes(line[i + 1] as string)) {
          if (line[i + 1] !== "\n") word += line[i + 1];
          i += 2;
          continue;
        }
        word += d;
        i++;
      }
      if (!closed) return { error: "a double quote is not closed" };
      inWord = true;
    } else if (c === "$" && line[i + 1] === "'") {
      // Bash's $'...' (DevTools' "Copy as cURL (bash)" writes it): \n, \t, \\, \' and \xHH.
      i += 2;
      let closed = false;
      while (i < line.length) {
        const d = line[i] as string;
        if (d === "'") {
          closed = true;
          i++;
          break;
        }
        if (d === "\\" && i + 1 < line.length) {
          const e = line[i + 1] as string;
          const hex = /^x([0-9a-fA-F]{2})/.exec(line.slice(i + 1, i + 4));
          if (hex?.[1]) {
            word += String.fromCharCode(Number.parseInt(hex[1], 16));
            i += 4;
            continue;
          }
          word += e === "n" ? "\n" : e === "t" ? "\t" : e === "r" ? "\r" : e;
          i += 2;
          continue;
        }
        word += d;
        i++;
      }
      if (!closed) return { error: "a $'…' quote is not closed" };
      inWord = true;
    } else if (c === "\\") {
      if (line[i + 1] === "\n" || (line[i + 1] === "\r" && line[i + 2] === "\n")) {
        i += line[i + 1] === "\r" ? 3 : 2;
        continue;
      }
      if (i + 1 < line.length) word += line[i + 1];
      inWord = true;
      i += 2;
    } else if (c === "^" && (line[i + 1] === "\n" || (line[i + 1] === "\r" && line[i + 2] === "\n"))) {
      // cmd.exe continuation (DevTools' "Copy as cURL (cmd)").
      i += line[i + 1] === "\r" ? 3 : 2;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      i++;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return { words };
}

/** curl options that take a value and mean nothing to explain. */
const IGNORED_WITH_VALUE = new Set([
  "-o",
  "--output",
  "-u",
  "--user",
  "-A",
  "--user-agent",
  "-e",
  "--referer",
  "-m",
  "--max-time",
  "--connect-timeout",
  "-w",
  "--write-out",
  "--cacert",
  "--cert",
  "--key",
  "-x",
  "--proxy",
  "--retry",
  "--resolve",
  "-c",
  "--cookie-jar",
  "-F",
  "--form",
]);
const DATA = new Set([
  "-d",
  "--data",
  "--data-raw",
  "--data-binary",
  "--data-ascii",
  "--data-urlencode",
  "--json",
]);
/**
 * Whether a pasted request's header is one the browser sets itself: a forbidden request-header name of
 * the Fetch standard (a page cannot set it), or User-Agent (a page may, but curl always sends one).
 */
function browserSets(name: string): boolean {
  return name.toLowerCase() === "user-agent" || forbiddenRequestHeaderReason(name) !== null;
}

function parseCurl(text: string): PasteResult {
  const split = shellWords(text);
  if ("error" in split) return { ok: false, reason: `the curl command does not parse: ${split.error}` };
  const words = split.words;
  if (words.length === 0 || !/^curl(\.exe)?$/i.test(words[0] as string)) {
    return { ok: false, reason: "a curl command starts with curl" };
  }
  let method: string | undefined;
  let url: string | undefined;
  let hasData = false;
  let head = false;
  let cookies = false;
  const headers: [string, string][] = [];
  for (let i = 1; i < words.length; i++) {
    const w = words[i] as string;
    const value = (): string | undefined => words[++i];
    const [flag, attached] = splitAttached(w);
    if (flag === "-X" || flag === "--request") {
      method = attached ?? value();
    } else if (flag === "-H" || flag === "--header") {
      const h = attached ?? value();
      if (h === undefined) continue;
      const colon = h.indexOf(":");
      if (colon <= 0) continue;
      headers.push([h.slice(0, colon).trim(), h.slice(colon + 1).trim()]);
    } else if (flag === "--url") {
      url = attached ?? value();
    } else if (DATA.has(flag)) {
      hasData = true;
      if (attached === undefined) i++;
      if (flag === "--json") headers.push(["Content-Type", "application/json"]);
    } else if (flag === "-I" || flag === "--head") {
      head = true;
    } else if (flag === "-b" || flag === "--cookie") {
      cookies = true;
      if (attached === undefined) i++;
    } else if (IGNORED_WITH_VALUE.has(flag)) {
      if (attached === undefined) i++;
    } else if (w.startsWith("-") && w.length > 1) {
      // A flag without a value (-s, -v, -i, -k, -L, --compressed, ...): nothing to explain.
    } else if (url === undefined) {
      url = w;
    }
  }
  if (url === undefined) return { ok: false, reason: "the curl command has no URL" };
  const parsed = parseUrl(/^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`);
  if (!parsed)
    return { ok: false, reason: `the curl command's URL (${JSON.stringify(url)}) is not an http(s) URL` };
  const find = (name: string) => headers.find(([n]) => n.toLowerCase() === name)?.[1];
  const origin = find("origin");
  const notes: string[] = [];
  if (origin === undefined) {
    return {
      ok: false,
      reason:
        "the curl command sends no Origin header, so it is not a cross-origin request: add -H 'Origin: https://your.page'",
    };
  }
  method ??= head ? "HEAD" : hasData ? "POST" : "GET";
  let pageHeaders = headers.filter(([n]) => !browserSets(n));
  const requestedMethod = find("access-control-request-method");
  if (method.toUpperCase() === "OPTIONS" && requestedMethod !== undefined && requestedMethod !== "") {
    // A preflight written by hand: explain the request it asks about.
    method = requestedMethod;
    pageHeaders = (find("access-control-request-headers") ?? "")
      .split(",")
      .map((h) => h.trim())
      .filter((h) => h !== "")
      .map((h) => [h, "..."] as [string, string]);
    notes.push(`a preflight: explaining the ${method} request it asks about`);
  }
  const host = find("host") ?? parsed.host;
  const credentials = cookies || find("cookie") !== undefined;
  return {
    ok: true,
    kind: "curl",
    request: {
      origin,
      method,
      path: parsed.path,
      host,
      ...(pageHeaders.length > 0 ? { headers: pageHeaders.map(([name, v]) => ({ name, value: v })) } : {}),
      ...(credentials ? { credentials: true } : {}),
    },
    notes,
  };
}

/** `-XPUT` and `--request=PUT` carry their value; `-H` and `--header` take the next word. */
function splitAttached(word: string): [string, string | undefined] {
  if (word.startsWith("--")) {
    const eq = word.indexOf("=");
    return eq < 0 ? [word, undefined] : [word.slice(0, eq), word.slice(eq + 1)];
  }
  if (/^-[XHdbeoAuFmx]./.test(word)) return [word.slice(0, 2), word.slice(2)];
  return [word, undefined];
}
