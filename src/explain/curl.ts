import type { ExplainInput } from "./explain.js";

/**
 * The curl command of a request to explain, as a browser on `origin` would send it (the actual
 * request: the preflight is the browser's to send). Every argument is single-quoted for POSIX shells.
 *
 * @example
 * toCurl({ origin: "https://app.example.com", method: "PUT", path: "/v1/items", host: "api.shop.test" }, "http://127.0.0.1:8080")
 * // curl -X 'PUT' -H 'Host: api.shop.test' -H 'Origin: https://app.example.com' 'http://127.0.0.1:8080/v1/items'
 */
export function toCurl(input: ExplainInput, base?: string): string {
  const parts = ["curl"];
  if (input.method !== "GET") parts.push("-X", quote(input.method));
  const url =
    base === undefined
      ? `http://${input.host ?? "localhost"}${input.path}`
      : `${trimSlash(base)}${input.path}`;
  if (base !== undefined && input.host !== undefined) parts.push("-H", quote(`Host: ${input.host}`));
  parts.push("-H", quote(`Origin: ${input.origin}`));
  for (const h of input.headers ?? []) parts.push("-H", quote(`${h.name}: ${h.value ?? ""}`));
  if (input.credentials === true) parts.push("-b", quote("session=..."));
  parts.push(quote(url));
  return parts.join(" ");
}

function trimSlash(base: string): string {
  return base.endsWith("/") ? base.slice(0, -1) : base;
}

/** `'it'\''s'`: a POSIX single-quoted word. */
export function quote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
