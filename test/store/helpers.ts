import type { Config } from "../../src/config/schema.js";

/** A small valid configuration that differs with `i`. */
export function sampleConfig(i: number): Config {
  return {
    listen: { gateway: "127.0.0.1:8080" },
    corsPolicies: [{ name: "web", allowOrigins: [`https://app${i}.example.com`], maxAge: 600 }],
    apis: [
      {
        name: `api-${i}`,
        method: "GET",
        path: `/items/${i}`,
        cors: i % 2 === 0,
        corsPolicy: "web",
        backend: {
          type: "mock",
          status: 200,
          headers: { "Content-Type": "application/json" },
          body: `{"i":${i}}`,
        },
      },
    ],
  };
}

/** A configuration with `count` APIs, a few groups, policies and apps. */
export function largeConfig(count: number): Config {
  const methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "ANY"] as const;
  return {
    listen: { gateway: "127.0.0.1:8080", admin: "127.0.0.1:9876" },
    groups: Array.from({ length: 20 }, (_, g) => ({
      name: `group-${g}`,
      domains: [`api${g}.example.com`, `*.g${g}.example.com`],
      basePath: `/v${g}`,
      corsPolicy: `policy-${g % 5}`,
    })),
    corsPolicies: Array.from({ length: 5 }, (_, p) => ({
      name: `policy-${p}`,
      allowOrigins: [`https://app${p}.example.com`, `https://*.p${p}.example.com`],
      allowOriginPatterns: [`^https://[a-z0-9-]+\\.p${p}\\.example\\.org$`],
      allowMethods: ["GET", "POST", "PUT"],
      allowHeaders: ["Content-Type", "X-Sdk-Date"],
      exposeHeaders: ["X-Request-Id"],
      allowCredentials: p % 2 === 0,
      maxAge: 600 + p,
    })),
    apis: Array.from({ length: count }, (_, i) => ({
      name: `api-${i}`,
      description: `API number ${i} — ünïcödé ✓`,
      group: `group-${i % 20}`,
      method: methods[i % methods.length] ?? "GET",
      path: `/resources/${i}/{id}`,
      match: i % 3 === 0 ? ("prefix" as const) : ("exact" as const),
      auth: i % 4 === 0 ? ("app" as const) : ("none" as const),
      cors: i % 2 === 0,
      ...(i % 5 === 0 ? { corsPolicy: `policy-${i % 5}` } : {}),
      backend:
        i % 2 === 0
          ? { type: "http" as const, url: `http://127.0.0.1:${3000 + (i % 100)}/base/${i}`, timeoutMs: 5000 }
          : { type: "mock" as const, status: 200, headers: { "X-Api": String(i) }, body: `{"api":${i}}` },
    })),
    apps: Array.from({ length: 10 }, (_, a) => ({
      name: `app-${a}`,
      keyHashes: [`sha256:${a.toString(16).padStart(64, "0")}`],
      javascriptOrigins: [`https://client${a}.example.net`],
      apis: Array.from({ length: 50 }, (_, k) => `api-${a * 50 + k}`),
    })),
  };
}

/** Waits until `condition` holds, checking every 20 ms; fails after `timeoutMs` naming what it waited for. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
