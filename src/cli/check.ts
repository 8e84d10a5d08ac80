import type { Command } from "commander";
import { request } from "undici";
import { unsafeHeaderNames } from "../cors/browser.js";
import { type BrowserRequest, checkPreflight, checkResponse, needsPreflight } from "../cors/index.js";
import { setOwnField } from "../own-field.js";
import { EXIT_ALLOWED, EXIT_BLOCKED, parseHeaderOption } from "./explain.js";
import { originOption } from "./origin-option.js";

interface CheckOptions {
  origin: string;
  method: string;
  header: string[];
  credentials?: boolean;
  json?: boolean;
  timeout: string;
  host?: string;
  send?: boolean;
}

/** Methods that must not change anything on the server (RFC 9110 section 9.2.1): always sent. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Exit code when nothing could be checked: a simple unsafe request without --send. */
const EXIT_USAGE = 1;

/** Whether `check` sends the actual request: safe methods always, others only with --send. */
export function sendsActualRequest(method: string, send: boolean): boolean {
  return send || SAFE_METHODS.has(method.toUpperCase());
}

type Headers = Map<string, string[]>;

function toMap(raw: Record<string, string | string[] | undefined>): Headers {
  const map = new Map<string, string[]>();
  for (const [k, v] of Object.entries(raw))
    if (v !== undefined) map.set(k.toLowerCase(), Array.isArray(v) ? v : [v]);
  return map;
}

function corsLines(headers: Headers): string[] {
  const lines: string[] = [];
  for (const [k, values] of headers) {
    if (k.startsWith("access-control-") || k === "vary" || k === "timing-allow-origin") {
      for (const v of values) lines.push(`  < ${k}: ${v}`);
    }
  }
  return lines;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * `crossgate check URL`: sends what a browser would and explains the verdict. The preflight is always
 * sent; the actual request only for a safe method (GET, HEAD, OPTIONS) or with --send, since a probe must not
 * create, change or delete anything by accident.
 */
export function registerCheck(program: Command): void {
  program
    .command("check")
    .description(
      "probe any live server as a browser would and explain the verdict: the preflight, then the actual " +
        "request for GET, HEAD and OPTIONS (other methods only with --send). " +
        "Exit 0: allowed, 2: blocked, 1: usage error or nothing checked",
    )
    .argument("<url>", "the URL the page would fetch")
    .requiredOption("--origin <origin>", "the page's origin, e.g. https://app.example.com", originOption)
    .option("--method <method>", "the request's method", "GET")
    .option("--header <name[: value]>", "a request header the page sets (repeatable)", collect, [])
    .option("--credentials", "the request is credentialed (credentials: 'include')")
    .option("--timeout <ms>", "time limit for each request", "10000")
    .option("--host <host>", "send this Host header instead of the URL's (a virtual host on a local address)")
    .option("--send", "also send the actual request when its method is not GET, HEAD or OPTIONS")
    .option("--json", "print the result as JSON")
    .action(async (url: string, options: CheckOptions) => {
      const timeout = Number(options.timeout);
      const headers = options.header.map(parseHeaderOption);
      const req: BrowserRequest = {
        url,
        origin: options.origin,
        method: options.method,
        headers,
        credentials: options.credentials === true,
      };
      const out: string[] = [];
      const result: Record<string, unknown> = { url, origin: options.origin, method: options.method };
      let ok = true;
      if (needsPreflight(req)) {
        const requested = unsafeHeaderNames(req);
        const preflightHeaders: Record<string, string> = {
          origin: options.origin,
          "access-control-request-method": options.method,
        };
        if (options.host) preflightHeaders.host = options.host;
        if (requested.length > 0) preflightHeaders["access-control-request-headers"] = requested.join(",");
        const res = await request(url, {
          method: "OPTIONS",
          headers: preflightHeaders,
          headersTimeout: timeout,
          bodyTimeout: timeout,
        });
        await res.body.dump();
        const got = toMap(res.headers);
        const verdict = checkPreflight(req, res.statusCode, got);
        result.preflight = { status: res.statusCode, headers: Object.fromEntries(got), verdict };
        out.push(
          `Preflight: OPTIONS ${url}`,
          `  > Origin: ${options.origin}`,
          `  > Access-Control-Request-Method: ${options.method}`,
        );
        if (requested.length > 0) out.push(`  > Access-Control-Request-Headers: ${requested.join(",")}`);
        out.push(`  ${res.statusCode}`, ...corsLines(got));
        out.push(verdict.ok ? `  ✔ ${verdict.detail}` : `  ✘ ${verdict.message}`);
        ok = verdict.ok;
      } else {
        out.push("No preflight: a simple request.");
      }
      const send = sendsActualRequest(options.method, options.send === true);
      let checked = true;
      let held = false;
      if (ok && !send) {
        held = true;
        const method = options.method.toUpperCase();
        const note =
          `not sent: ${method} is not a safe method and could change data on the server. ` +
          `Add --send to send it and check its response's CORS headers too.`;
        result.actual = { sent: false, note };
        out.push(`Request: ${options.method} ${url}`, `  ${note}`);
        // Without a preflight nothing was checked at all: a simple request is judged on its response only.
        checked = result.preflight !== undefined;
      } else if (ok) {
        const actualHeaders: Record<string, string> = { origin: options.origin };
        if (options.host) actualHeaders.host = options.host;
        for (const h of headers) setOwnField(actualHeaders, h.name, h.value ?? "x");
        const res = await request(url, {
          method: options.method,
          headers: actualHeaders,
          headersTimeout: timeout,
          bodyTimeout: timeout,
        });
        await res.body.dump();
        const got = toMap(res.headers);
        const verdict = checkResponse(req, got);
        result.actual = { status: res.statusCode, headers: Object.fromEntries(got), verdict };
        out.push(`Request: ${options.method} ${url}`, `  ${res.statusCode}`, ...corsLines(got));
        out.push(verdict.ok ? `  ✔ ${verdict.detail}` : `  ✘ ${verdict.message}`);
        ok = verdict.ok;
      }
      result.ok = checked ? ok : null;
      let verdict = ok ? "ALLOWED" : "BLOCKED";
      if (!checked) verdict = "NOT CHECKED: a simple request is judged on its response alone; add --send";
      else if (held) verdict = "ALLOWED by the preflight (the actual request was not sent)";
      process.stdout.write(
        options.json ? `${JSON.stringify(result, null, 2)}\n` : `${out.join("\n")}\n${verdict}\n`,
      );
      process.exitCode = !checked ? EXIT_USAGE : ok ? EXIT_ALLOWED : EXIT_BLOCKED;
    });
}
