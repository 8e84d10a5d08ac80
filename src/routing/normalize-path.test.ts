import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodePathValue, normalizePath, type PathOptions } from "./normalize-path.js";

const KEEP: PathOptions = { semicolons: "keep", encodedSlashes: "keep" };

describe("normalizePath: what is routed is what the backend receives", () => {
  const accepted: [string, string, string][] = [
    ["leaves a normal path as it is", "/v1/users/42", "/v1/users/42"],
    ["keeps a trailing slash", "/v1/users/", "/v1/users/"],
    ["keeps the root", "/", "/"],
    [
      "removes '..' with the segment before it (the auth: app bypass of issue 10)",
      "/v1/pub/../secret/x",
      "/v1/secret/x",
    ],
    ["decodes %2e%2e before removing it", "/v1/pub/%2e%2e/%2E%2E/internal-admin", "/internal-admin"],
    ["treats a mixed .%2E as '..'", "/a/b/.%2E/c", "/a/c"],
    ["removes '.' segments", "/a/./b/.", "/a/b/"],
    ["ends in a slash after a final '..'", "/a/b/c/..", "/a/b/"],
    ["merges duplicate slashes", "//a///b", "/a/b"],
    [
      "lets '..' remove an empty segment first, as RFC 3986 and URL parsers do",
      "/pub//../secret",
      "/pub/secret",
    ],
    ["decodes escapes of unreserved characters", "/%61dmin/%7Euser/%2D", "/admin/~user/-"],
    ["uppercases the hex digits of other escapes", "/caf%c3%a9/%3a", "/caf%C3%A9/%3A"],
    [
      "percent-encodes characters a path cannot hold raw",
      '/a b/"q"/<x>/|/^/`',
      "/a%20b/%22q%22/%3Cx%3E/%7C/%5E/%60",
    ],
    ["encodes a latin1 byte from node:http as that byte", "/caf\u00e9", "/caf%E9"],
    ["keeps sub-delimiters, ':' and '@' raw", "/a:b@c!$&'()*+,=", "/a:b@c!$&'()*+,="],
    ["keeps a segment of three dots", "/a/.../b", "/a/.../b"],
  ];
  for (const [name, input, output] of accepted) {
    it(`${name}: ${input}`, () => {
      const n = normalizePath(input);
      expect(n).toMatchObject({ ok: true, path: output });
    });
  }

  const refused: [string, string, string][] = [
    ["a '..' above the root", "/../etc/passwd", "PATH_ABOVE_ROOT"],
    ["an encoded '..' above the root", "/a/%2e%2e/%2e%2e/b", "PATH_ABOVE_ROOT"],
    ["an encoded slash", "/files/a%2Fb", "PATH_ENCODED_SLASH"],
    ["an encoded slash in lowercase", "/files/a%2fb", "PATH_ENCODED_SLASH"],
    ["an encoded backslash", "/files/a%5cb", "PATH_ENCODED_SLASH"],
    ["a raw backslash", "/a\\..\\secret", "PATH_BACKSLASH"],
    ["a raw NUL", "/a\u0000b", "PATH_NUL"],
    ["an encoded NUL", "/a%00b", "PATH_NUL"],
    ["a ';' path parameter", "/secret;x=1", "PATH_SEMICOLON"],
    ["a malformed escape", "/a%zz", "PATH_MALFORMED"],
    ["a truncated escape", "/a%4", "PATH_MALFORMED"],
    ["a lone percent", "/a%", "PATH_MALFORMED"],
    ["a fragment", "/a#b", "PATH_MALFORMED"],
    ["an absolute-form target", "http://evil.test/a", "PATH_MALFORMED"],
    ["the asterisk form", "*", "PATH_MALFORMED"],
    ["an empty target", "", "PATH_MALFORMED"],
  ];
  for (const [name, input, refusal] of refused) {
    it(`refuses ${name}: ${JSON.stringify(input)}`, () => {
      expect(normalizePath(input)).toMatchObject({ ok: false, refusal });
    });
  }

  it("keeps ';' and encoded slashes when the gateway settings say keep", () => {
    expect(normalizePath("/a;x=1/b%2fc/d%5Ce", KEEP)).toEqual({
      ok: true,
      path: "/a;x=1/b%2Fc/d%5Ce",
      encoded: true,
    });
    // A raw backslash and a NUL stay refused: no setting lets them through.
    expect(normalizePath("/a\\b", KEEP)).toMatchObject({ ok: false, refusal: "PATH_BACKSLASH" });
    expect(normalizePath("/a%00", KEEP)).toMatchObject({ ok: false, refusal: "PATH_NUL" });
  });

  it("does not count an encoded slash as a separator for '..' when it is kept", () => {
    expect(normalizePath("/a/..%2f..%2fsecret", KEEP)).toMatchObject({
      ok: true,
      path: "/a/..%2F..%2Fsecret",
    });
  });

  it("returns the very string for a normal path (nothing allocated on the hot path)", () => {
    const path = "/v1/users/42";
    const n = normalizePath(path);
    expect(n.ok && n.path).toBe(path);
  });

  it("decodes parameter values, keeping invalid UTF-8 as sent", () => {
    expect(decodePathValue("a%2Fb%20c")).toBe("a/b c");
    expect(decodePathValue("%E9")).toBe("%E9");
  });
});

// Paths an attacker would try: dot segments raw and encoded in any case, slashes, escapes, odd characters.
const pathPiece = fc.oneof(
  fc.constantFrom(
    "..",
    ".",
    "%2e%2e",
    "%2E.",
    ".%2e",
    "%2e",
    "",
    "pub",
    "secret",
    "a",
    "%61",
    "%2f",
    "%5C",
    ";x=1",
    "%3B",
    "%25",
    "%zz",
    "|",
    " ",
    "%C3%A9",
    "\\",
    "~",
    "%7e",
  ),
  fc.string({ unit: "grapheme-ascii", maxLength: 4 }),
);
const attackPath = fc
  .array(pathPiece, { maxLength: 8 })
  .chain((pieces) => fc.constantFrom("/", "").map((sep) => `/${pieces.join(sep === "" ? "" : "/")}`))
  .chain((p) => fc.oneof(fc.constant(p), fc.constant(`${p}/`)));
const options = fc.constantFrom<PathOptions>({ semicolons: "refuse", encodedSlashes: "refuse" }, KEEP, {
  semicolons: "keep",
  encodedSlashes: "refuse",
});

describe("normalizePath properties (fast-check)", () => {
  it("never throws, on any string", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), options, (s, o) => {
        normalizePath(s, o);
      }),
      { numRuns: 20_000 },
    );
  });

  it("is idempotent: a normalized path normalizes to itself", () => {
    fc.assert(
      fc.property(attackPath, options, (p, o) => {
        const once = normalizePath(p, o);
        if (!once.ok) return;
        expect(normalizePath(once.path, o)).toEqual({
          ok: true,
          path: once.path,
          encoded: expect.any(Boolean),
        });
      }),
      { numRuns: 20_000 },
    );
  });

  it("leaves nothing a backend could resolve further: no dot segment, no '//', no escape of an unreserved character", () => {
    fc.assert(
      fc.property(attackPath, options, (p, o) => {
        const n = normalizePath(p, o);
        if (!n.ok) return;
        expect(n.path.startsWith("/")).toBe(true);
        expect(n.path).not.toMatch(/\/\.\.?(\/|$)|\/\//);
        expect(n.path).not.toMatch(/%(2[DE]|5F|7E|3[0-9]|[46][1-9A-F]|[57][0-9A])/i);
        expect(n.path.includes("\\") || n.path.includes("\u0000")).toBe(false);
      }),
      { numRuns: 20_000 },
    );
  });

  it("agrees with a WHATWG URL parser (Node's new URL(), as most backends resolve paths)", () => {
    fc.assert(
      fc.property(attackPath, options, (p, o) => {
        // A URL parser strips surrounding spaces and every tab or newline of a string; node:http refuses
        // those characters in a request target before the gateway sees it. `?` and `#` end the path.
        if ([...p].some((c) => c <= " " || c === "\u007f" || c === "?" || c === "#")) return;
        const n = normalizePath(p, o);
        if (!n.ok) return;
        // What a backend that resolves the raw path would see, normalized again for comparison ...
        const resolved = new URL(`http://backend.test${p}`).pathname;
        const again = normalizePath(resolved, o);
        expect(again.ok && again.path).toBe(n.path);
        // ... and the normalized path is a fixed point of the parser: the backend resolves nothing more.
        expect(new URL(`http://backend.test${n.path}`).pathname).toBe(n.path);
      }),
      { numRuns: 20_000 },
    );
  });
});
