import fc from "fast-check";

/** A valid configuration that uses every kind of object: the base that the arbitraries below mutate. */
export const VALID_CONFIG = {
  listen: { gateway: "127.0.0.1:8080", admin: "127.0.0.1:9876" },
  gateway: {
    serverTiming: true,
    apiKeyHeader: "X-Api-Key",
    limits: { maxBodyBytes: 1024, requestTimeoutMs: 60000, headersTimeoutMs: 10000 },
  },
  groups: [{ name: "shop", domains: ["api.shop.test", "*.shop.test"], basePath: "/v1", corsPolicy: "web" }],
  corsPolicies: [
    {
      name: "web",
      allowOrigins: ["https://app.example.com", "https://*.example.com"],
      allowOriginPatterns: ["^https://[a-z0-9-]+\\.example\\.org$"],
      allowMethods: ["GET", "PUT"],
      allowHeaders: ["Content-Type"],
      exposeHeaders: ["X-Request-Id"],
      allowCredentials: true,
      maxAge: 600,
      timingAllowOrigins: ["https://app.example.com"],
    },
  ],
  apis: [
    {
      name: "users",
      group: "shop",
      method: "GET",
      path: "/users/{id}",
      corsPolicy: "web",
      auth: "app",
      backend: { type: "http", url: "http://127.0.0.1:3000", timeoutMs: 5000 },
    },
    {
      name: "hello",
      method: "ANY",
      path: "/hello",
      match: "prefix",
      cors: true,
      backend: { type: "mock", status: 200, headers: { "Content-Type": "text/plain" }, body: "hi" },
    },
    { name: "fn", method: "POST", path: "/fn", backend: { type: "function", module: "./fn.mjs" } },
  ],
  apps: [
    {
      name: "storefront",
      keys: ["a-key-of-at-least-16-chars"],
      javascriptOrigins: ["https://shop.example.com"],
      apis: ["users"],
    },
  ],
} as const;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path into `value` (keys and indices), the root included. */
function pathsOf(
  value: Json,
  prefix: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      pathsOf(v, [...prefix, i], out);
    });
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) pathsOf(v, [...prefix, k], out);
  }
  return out;
}

const PATHS = pathsOf(VALID_CONFIG as unknown as Json);

/** Values that are wrong in the ways people get them wrong: arrays for objects, strings for lists, nulls. */
const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom([], [1, 2], [[]], {}, null, "", "*", 0, -1, 1.5, true, "https://a.example/path", [null]),
  fc.jsonValue({ maxDepth: 3 }),
);

type Mutation =
  | { readonly kind: "replace"; readonly path: number; readonly value: unknown }
  | { readonly kind: "remove"; readonly path: number }
  | { readonly kind: "add"; readonly path: number; readonly key: string; readonly value: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("replace" as const), path: fc.nat(), value: oddValue }),
  fc.record({ kind: fc.constant("remove" as const), path: fc.nat() }),
  fc.record({
    kind: fc.constant("add" as const),
    path: fc.nat(),
    key: fc.oneof(fc.constantFrom("allowOrigin", "max_age", "type", "name", "__proto__", "0"), fc.string()),
    value: oddValue,
  }),
);

function apply(root: unknown, m: Mutation): unknown {
  const path = PATHS[m.path % PATHS.length] as (string | number)[];
  if (path.length === 0) {
    if (m.kind === "replace") return m.value;
    if (m.kind === "add" && root !== null && typeof root === "object" && !Array.isArray(root)) {
      Object.defineProperty(root, m.key, {
        value: m.value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return root;
  }
  let parent: unknown = root;
  for (const step of path.slice(0, -1)) {
    if (parent === null || typeof parent !== "object") return root;
    parent = (parent as Record<string | number, unknown>)[step];
  }
  if (parent === null || typeof parent !== "object") return root;
  const last = path[path.length - 1] as string | number;
  const holder = parent as Record<string | number, unknown>;
  if (m.kind === "replace") holder[last] = m.value;
  else if (m.kind === "remove") {
    if (Array.isArray(holder) && typeof last === "number") holder.splice(last, 1);
    else delete holder[last];
  } else {
    const target = holder[last];
    if (target !== null && typeof target === "object" && !Array.isArray(target)) {
      Object.defineProperty(target, m.key, {
        value: m.value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return root;
}

/** The valid configuration with one to four random parts replaced, removed or added. */
export function arbitraryConfigInput(): fc.Arbitrary<unknown> {
  return fc
    .array(mutation, { minLength: 1, maxLength: 4 })
    .map((mutations) => mutations.reduce(apply, structuredClone(VALID_CONFIG) as unknown));
}
