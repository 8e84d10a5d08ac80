import fc from "fast-check";
import FindMyWay from "find-my-way";
import { describe, expect, it } from "vitest";
import { normalizePath, type PathOptions } from "./normalize-path.js";
import { MAX_PARAM_LENGTH, PathTree, routablePath } from "./path-tree.js";
import { pathShape, type Segment } from "./route-path.js";

/**
 * crossgate's path tree replaced find-my-way (memory: docs/benchmarks.md). find-my-way, configured as
 * crossgate configured it, is the oracle for the tree's choices: on generated route tables and request
 * paths without escapes (duplicate and trailing slashes, over-long parameters, backtracking) both must
 * pick the same route and the same parameter values. Escapes are normalized before the tree sees a path
 * (src/routing/normalize-path.ts), which find-my-way does not do: those cases are checked on their own.
 */

interface Route {
  readonly id: number;
  readonly segments: readonly Segment[];
  readonly prefix: boolean;
}

function toFmwPath(segments: readonly Segment[]): string {
  if (segments.length === 0) return "/";
  let out = "";
  for (const s of segments) {
    if (s.kind === "literal") out += `/${s.text.replaceAll(":", "::")}`;
    else if (s.kind === "param") out += `/:${s.name}`;
    else out += "/*";
  }
  return out;
}

function shapeKey(segments: readonly Segment[], tail: boolean): string {
  const shape = pathShape(segments);
  return tail ? `${shape === "/" ? "" : shape}/{+}` : shape;
}

interface Tables {
  readonly fmw: ReturnType<typeof FindMyWay>;
  readonly tree: PathTree<Route>;
  readonly routes: readonly Route[];
}

/** Registers each route in both, skipping a route whose shape is taken (as the router reports a conflict). */
function build(routes: readonly Route[]): Tables {
  const fmw = FindMyWay({ ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, maxParamLength: 500 });
  const tree = new PathTree<Route>();
  const taken = new Set<string>();
  const kept: Route[] = [];
  for (const r of routes) {
    const greedy = r.segments.some((s) => s.kind === "greedy");
    const tails = r.prefix && !greedy ? [false, true] : [false];
    const keys = tails.map((t) => shapeKey(r.segments, t));
    if (keys.some((k) => taken.has(k))) continue;
    for (const k of keys) taken.add(k);
    kept.push(r);
    const path = toFmwPath(r.segments);
    for (const tail of tails) {
      const p = tail ? (path === "/" ? "/*" : `${path}/*`) : path;
      fmw.on("GET", p, () => {}, r);
      tree.add(r.segments, tail, r);
    }
  }
  return { fmw, tree, routes: kept };
}

/** find-my-way's answer, with the greedy value under the segment's own name, as the tree names it. */
function oracle(t: Tables, path: string) {
  const hit = t.fmw.find("GET", path) as { store: Route; params: Record<string, string> } | null;
  if (hit === null) return null;
  const params: Record<string, string | undefined> = { ...hit.params };
  const greedy = hit.store.segments.find((s) => s.kind === "greedy");
  if (greedy !== undefined) {
    params[greedy.name] = params["*"];
    delete params["*"];
  }
  return { id: hit.store.id, params };
}

function ours(t: Tables, path: string, options?: PathOptions) {
  const normalized = normalizePath(path, options);
  const hit = normalized.ok ? t.tree.find(routablePath(normalized.path, normalized.encoded)) : null;
  return hit === null ? null : { id: hit.entry.id, params: { ...hit.params } };
}

const literal = fc.constantFrom("a", "b", "ab", "items", "x:y", "a+b", "v1");
const segment: fc.Arbitrary<Segment> = fc.oneof(
  { weight: 4, arbitrary: literal.map((text) => ({ kind: "literal" as const, text })) },
  { weight: 2, arbitrary: fc.constant({ kind: "param" as const, name: "" }) },
);
const route = fc
  .record({
    segments: fc.array(segment, { maxLength: 4 }),
    greedy: fc.boolean(),
    prefix: fc.boolean(),
  })
  .map(({ segments, greedy, prefix }) => {
    const named = segments.map((s, i) => (s.kind === "param" ? { ...s, name: `p${i}` } : s));
    if (greedy) named.push({ kind: "greedy", name: "rest" });
    return { segments: named, prefix };
  });
const table = fc
  .array(route, { minLength: 1, maxLength: 12 })
  // Parameter names differ between routes that share a node, as `/a/{x}/b` and `/a/{y}/c` do.
  .map((rs) =>
    rs.map((r, id) => ({
      id,
      prefix: r.prefix,
      segments: r.segments.map((s) => (s.kind === "param" ? { ...s, name: `${s.name}r${id}` } : s)),
    })),
  );

const requestSegment = fc.oneof(
  literal,
  fc.constantFrom("", "c", "x".repeat(MAX_PARAM_LENGTH), "y".repeat(MAX_PARAM_LENGTH + 1)),
);
const requestPath = fc
  .record({ parts: fc.array(requestSegment, { maxLength: 6 }), trailing: fc.boolean() })
  .map(({ parts, trailing }) => `/${parts.join("/")}${trailing ? "/" : ""}`);

describe("the path tree answers as find-my-way did", () => {
  it("on generated route tables and request paths (fast-check, 3,000 tables)", () => {
    fc.assert(
      fc.property(table, fc.array(requestPath, { minLength: 1, maxLength: 10 }), (routes, paths) => {
        const t = build(routes);
        for (const path of paths) expect(ours(t, path), path).toEqual(oracle(t, path));
      }),
      { numRuns: Number(process.env.PATH_TREE_RUNS ?? 3000) },
    );
  });

  const fixed: [string, string][] = [
    ["duplicate and trailing slashes are ignored", "//items///42/"],
    ["a parameter of 501 characters does not match", `/items/${"y".repeat(501)}`],
    ["a greedy tail keeps its slashes", "/files/a/b/c/d"],
    ["the root", "/"],
  ];
  const t = build([
    {
      id: 0,
      segments: [
        { kind: "literal", text: "items" },
        { kind: "param", name: "id" },
      ],
      prefix: false,
    },
    {
      id: 1,
      segments: [
        { kind: "literal", text: "files" },
        { kind: "greedy", name: "rest" },
      ],
      prefix: false,
    },
    { id: 2, segments: [], prefix: true },
  ]);
  for (const [name, path] of fixed) {
    it(`${name}: ${path.length > 40 ? `${path.slice(0, 40)}...` : path}`, () => {
      expect(ours(t, path)).toEqual(oracle(t, path));
    });
  }

  it("takes the literal, then the parameter, then the greedy tail, backtracking when a branch dead-ends", () => {
    const bt = build([
      {
        id: 0,
        segments: [
          { kind: "literal", text: "a" },
          { kind: "literal", text: "b" },
          { kind: "literal", text: "c" },
        ],
        prefix: false,
      },
      {
        id: 1,
        segments: [
          { kind: "literal", text: "a" },
          { kind: "param", name: "x" },
          { kind: "literal", text: "d" },
        ],
        prefix: false,
      },
      {
        id: 2,
        segments: [
          { kind: "literal", text: "a" },
          { kind: "greedy", name: "rest" },
        ],
        prefix: false,
      },
    ]);
    expect(ours(bt, "/a/b/c")?.id).toBe(0);
    expect(ours(bt, "/a/b/d")).toEqual({ id: 1, params: { x: "b" } });
    expect(ours(bt, "/a/b/e")).toEqual({ id: 2, params: { rest: "b/e" } });
    for (const p of ["/a/b/c", "/a/b/d", "/a/b/e", "/a", "/b"]) expect(ours(bt, p)).toEqual(oracle(bt, p));
  });
});

describe("the tree on normalized paths (escapes)", () => {
  const t = build([
    {
      id: 0,
      segments: [
        { kind: "literal", text: "items" },
        { kind: "param", name: "id" },
      ],
      prefix: false,
    },
    {
      id: 1,
      segments: [
        { kind: "literal", text: "files" },
        { kind: "greedy", name: "rest" },
      ],
      prefix: false,
    },
  ]);
  const keep: PathOptions = { semicolons: "keep", encodedSlashes: "keep" };

  it("decodes a parameter's escapes, an encoded slash included when the gateway keeps them", () => {
    expect(ours(t, "/items/a%2Fb", keep)).toEqual({ id: 0, params: { id: "a/b" } });
    expect(ours(t, "/items/100%25")).toEqual({ id: 0, params: { id: "100%" } });
    expect(ours(t, "/items/caf%c3%a9")).toEqual({ id: 0, params: { id: "café" } });
    expect(ours(t, "/items/a b")).toEqual({ id: 0, params: { id: "a b" } });
  });

  it("matches a literal written with escapes of unreserved characters", () => {
    expect(ours(t, "/%69tems/42")).toEqual({ id: 0, params: { id: "42" } });
  });

  it("keeps a greedy tail's encoded slash inside its segment", () => {
    expect(ours(t, "/files/a/b%2Fc/d", keep)).toEqual({ id: 1, params: { rest: "a/b/c/d" } });
  });

  it("matches nothing for a path the normalization refuses", () => {
    for (const path of [
      "/items/%zz",
      "/items/a%2Fb",
      "/items/a;x=1",
      "/items/..%2f..",
      "/../items/1",
      "/items/42#top",
    ])
      expect(ours(t, path), path).toBeNull();
  });
});
