import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/**
 * Serves the web console (console/, built by Vite into dist/console) at /console/ on the admin
 * listener: hashed assets for a year (`immutable`), index.html never cached, and every other path under
 * /console/ answered with index.html, so that the console's own routes (/console/apis/x) reload.
 * `/` redirects to /console/. The files are read once, at start: a few hundred KB.
 */

/** The console's Content-Security-Policy: no inline script, nothing from another origin. */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** For the admin API's JSON answers: nothing may load or frame them. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json; charset=utf-8",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json; charset=utf-8",
};

/** Vite names built assets `name-HASH.ext` (8+ characters of base64url). */
const HASHED = /-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;

interface ConsoleFile {
  readonly body: Buffer;
  readonly type: string;
  readonly immutable: boolean;
}

/** Where the built console is: beside the compiled admin (dist/admin -> dist/console), or dist/ when run from src/. */
export function defaultConsoleDir(): string | undefined {
  const candidates = [
    new URL("../console/", import.meta.url),
    new URL("../../dist/console/", import.meta.url),
  ];
  for (const url of candidates) {
    const dir = fileURLToPath(url);
    if (existsSync(join(dir, "index.html"))) return dir;
  }
  return undefined;
}

function readTree(dir: string): Map<string, ConsoleFile> {
  const files = new Map<string, ConsoleFile>();
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const full = join(at, name);
      if (statSync(full).isDirectory()) {
        walk(full);
        continue;
      }
      const rel = relative(dir, full).split(sep).join("/");
      files.set(rel, {
        body: readFileSync(full),
        type: TYPES[extname(name)] ?? "application/octet-stream",
        immutable: rel.startsWith("assets/") && HASHED.test(name),
      });
    }
  };
  walk(dir);
  return files;
}

function send(reply: FastifyReply, file: ConsoleFile): FastifyReply {
  return reply
    .header("content-type", file.type)
    .header("cache-control", file.immutable ? "public, max-age=31536000, immutable" : "no-cache")
    .header("x-content-type-options", "nosniff")
    .header("referrer-policy", "no-referrer")
    .header("content-security-policy", CONSOLE_CSP)
    .send(file.body);
}

export function registerConsole(app: FastifyInstance, dir: string | undefined): void {
  const files = dir === undefined ? new Map<string, ConsoleFile>() : readTree(dir);
  const index = files.get("index.html");

  app.get("/", { schema: { hide: true } }, async (_request, reply) =>
    reply.header("content-security-policy", CONSOLE_CSP).redirect("/console/", 302),
  );
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split("?")[0] ?? "";
    // The router ignores a trailing slash, so /console arrives here too; relative URLs need the slash.
    if (path === "/console")
      return reply.header("content-security-policy", CONSOLE_CSP).redirect("/console/", 301);
    const rest = (request.params as { "*"?: string })["*"] ?? "";
    const file = files.get(rest);
    if (file) return send(reply, file);
    // A missing asset is a 404 (a stale page asking for an old hash must not get HTML back as script).
    if (rest.startsWith("assets/") || index === undefined) {
      reply.code(404).header("content-type", "text/plain; charset=utf-8").header("cache-control", "no-cache");
      return index === undefined
        ? "The console is not built: run `npm run build` (it runs vite build into dist/console)."
        : `No console file ${rest}`;
    }
    return send(reply, index);
  };
  app.get("/console", { schema: { hide: true } }, handler);
  app.get("/console/*", { schema: { hide: true } }, handler);
}
