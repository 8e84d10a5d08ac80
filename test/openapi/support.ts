import { readFileSync } from "node:fs";
import { parse } from "yaml";
import type { ApiConfig } from "../../src/config/schema.js";
import type { Note } from "../../src/openapi/findings.js";

/** A fixture document of test/openapi/fixtures, parsed (YAML or JSON). */
export function fixture(name: string): unknown {
  return parse(readFileSync(new URL(`fixtures/${name}`, import.meta.url), "utf8"));
}

export function fixturePath(name: string): string {
  return new URL(`fixtures/${name}`, import.meta.url).pathname;
}

/** The notes at one JSON pointer, as "severity: message; do: action" lines. */
export function notesAt(notes: readonly Note[], pointer: string): string[] {
  return notes
    .filter((n) => n.pointer === pointer)
    .map((n) => `${n.severity}: ${n.message}; do: ${n.action}`);
}

/** An API with its defaults written out, so that `status: 200` and no status compare equal. */
export function normalizedApi(api: ApiConfig): ApiConfig {
  const backend =
    api.backend.type === "mock"
      ? {
          ...api.backend,
          status: api.backend.status ?? 200,
          headers: api.backend.headers ?? {},
        }
      : api.backend;
  return {
    ...api,
    match: api.match ?? "exact",
    auth: api.auth ?? "none",
    backend,
  };
}
