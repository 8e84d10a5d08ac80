import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toCurl } from "./curl.js";
import { MAX_PASTE_LENGTH, parsePaste, shellWords } from "./parse-paste.js";

describe("parsePaste: Chromium console errors", () => {
  it("reads the URL and the origin of a refused preflight", () => {
    const r = parsePaste(
      "Access to fetch at 'http://api.shop.test:8080/v1/items?x=1' from origin 'https://evil.test' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: It does not have HTTP ok status.",
    );
    expect(r).toEqual({
      ok: true,
      kind: "chromium",
      request: {
        origin: "https://evil.test",
        method: "GET",
        path: "/v1/items?x=1",
        host: "api.shop.test:8080",
      },
      notes: [expect.stringContaining("GET assumed"), expect.stringContaining("add it below")],
    });
  });

  it("takes the method and header that Chromium names, and credentials", () => {
    const method = parsePaste(
      "Access to XMLHttpRequest at 'http://a.test/x' from origin 'http://app.test' has been blocked by CORS policy: Method DELETE is not allowed by Access-Control-Allow-Methods in preflight response.",
    );
    expect(method.ok && method.request.method).toBe("DELETE");
    const header = parsePaste(
      "Access to fetch at 'http://a.test/x' from origin 'http://app.test' has been blocked by CORS policy: Request header field x-sdk-date is not allowed by Access-Control-Allow-Headers in preflight response.",
    );
    expect(header.ok && header.request.headers).toEqual([{ name: "x-sdk-date", value: "..." }]);
    const credentials = parsePaste(
      "Access to fetch at 'http://a.test/x' from origin 'http://app.test' has been blocked by CORS policy: The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.",
    );
    expect(credentials.ok && credentials.request.credentials).toBe(true);
  });

  it("takes the method from DevTools' failed-request line", () => {
    const r = parsePaste(
      "Access to fetch at 'http://a.test/x' from origin 'http://app.test' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.\nPUT http://a.test/x net::ERR_FAILED 403 (Forbidden)",
    );
    expect(r.ok && r.request.method).toBe("PUT");
  });

  it("refuses a CORS message that is not Chromium's, saying what it expected", () => {
    const r = parsePaste(
      "Cross-Origin Request Blocked: The Same Origin Policy disallows reading ... has been blocked by CORS policy",
    );
    expect(r).toEqual({ ok: false, reason: expect.stringContaining("Chromium's words") });
  });
});

describe("parsePaste: curl commands", () => {
  it("reads DevTools' Copy as cURL", () => {
    const r = parsePaste(
      `curl 'http://api.shop.test/v1/items' \\\n  -X 'PUT' \\\n  -H 'Origin: https://app.example.com' \\\n  -H 'X-Sdk-Date: 20240101' \\\n  -H 'User-Agent: Mozilla' \\\n  --data-raw '{}' --compressed`,
    );
    expect(r).toEqual({
      ok: true,
      kind: "curl",
      request: {
        origin: "https://app.example.com",
        method: "PUT",
        path: "/v1/items",
        host: "api.shop.test",
        headers: [{ name: "X-Sdk-Date", value: "20240101" }],
      },
      notes: [],
    });
  });

  it("leaves out the fields Chromium adds itself to Copy as cURL (Sec-Fetch-*, Sec-CH-UA, Referer): a page never sets them", () => {
    const r = parsePaste(
      [
        "curl 'http://api.shop.test/v1/items'",
        "-H 'Origin: https://app.example.com'",
        '-H \'sec-ch-ua: "Chromium";v="156"\'',
        "-H 'sec-ch-ua-mobile: ?0'",
        "-H 'Sec-Fetch-Dest: empty'",
        "-H 'Sec-Fetch-Mode: cors'",
        "-H 'Sec-Fetch-Site: cross-site'",
        "-H 'Referer: https://app.example.com/'",
        "-H 'Proxy-Authorization: Basic eDp5'",
        "-H 'X-Sdk-Date: 20240101'",
      ].join(" \\\n  "),
    );
    expect(r.ok && r.request.headers).toEqual([{ name: "X-Sdk-Date", value: "20240101" }]);
  });

  it("explains the request a hand-written preflight asks about", () => {
    const r = parsePaste(
      "curl -i -X OPTIONS http://localhost:8080/simple -H 'Origin: http://www.cors.com' -H 'Access-Control-Request-Method: PUT' -H 'Access-Control-Request-Headers: X-Sdk-Date, content-type'",
    );
    expect(r.ok && r.request).toEqual({
      origin: "http://www.cors.com",
      method: "PUT",
      path: "/simple",
      host: "localhost:8080",
      headers: [
        { name: "X-Sdk-Date", value: "..." },
        { name: "content-type", value: "..." },
      ],
    });
  });

  it("defaults the method from the data and -I, and reads cookies as credentials", () => {
    const post = parsePaste("curl -d a=1 -b 'sid=1' -H 'Origin: http://app.test' http://a.test/");
    expect(post.ok && [post.request.method, post.request.credentials]).toEqual(["POST", true]);
    const head = parsePaste("curl -I -H 'Origin: http://app.test' http://a.test/");
    expect(head.ok && head.request.method).toBe("HEAD");
  });

  it("refuses a command without an Origin, without a URL, or with an open quote, saying why", () => {
    expect(parsePaste("curl http://a.test/")).toEqual({
      ok: false,
      reason: expect.stringContaining("no Origin"),
    });
    expect(parsePaste("curl -H 'Origin: http://a.test'")).toEqual({
      ok: false,
      reason: expect.stringContaining("no URL"),
    });
    expect(parsePaste("curl 'http://a.test/")).toEqual({
      ok: false,
      reason: expect.stringContaining("not closed"),
    });
  });

  it("refuses text that is neither, and over-long text", () => {
    expect(parsePaste("hello")).toEqual({ ok: false, reason: expect.stringContaining("not recognised") });
    expect(parsePaste(`curl ${"a".repeat(MAX_PASTE_LENGTH)}`)).toEqual({
      ok: false,
      reason: expect.stringContaining("at most"),
    });
  });
});

describe("parsePaste: properties", () => {
  it("never throws, whatever the text", () => {
    const prefixes = fc.constantFrom("", "curl ", "Access to fetch at '", "curl -H 'Origin: ", "$ curl ");
    fc.assert(
      fc.property(prefixes, fc.string({ maxLength: 300 }), (prefix, rest) => {
        const r = parsePaste(prefix + rest);
        expect(typeof r.ok).toBe("boolean");
      }),
      { numRuns: 2000 },
    );
  });

  it("shell words: quoting any word and splitting again gives it back", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1, maxLength: 30 }), { maxLength: 8 }), (words) => {
        const line = words.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(" ");
        expect(shellWords(line)).toEqual({ words });
      }),
    );
  });

  const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/);
  const label = fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/);
  const origin = fc
    .tuple(fc.constantFrom("http", "https"), fc.array(label, { minLength: 1, maxLength: 3 }))
    .map(([scheme, labels]) => `${scheme}://${labels.join(".")}.test`);
  const path = fc
    .tuple(fc.array(label, { maxLength: 4 }), fc.option(fc.tuple(label, label)))
    .map(([segments, q]) => `/${segments.join("/")}${q ? `?${q[0]}=${q[1]}` : ""}`);
  const headerValue = fc.stringMatching(/^[ -~]{0,20}$/).map((v) => v.trim());

  it("generated curl commands round-trip to the request they were made from", () => {
    fc.assert(
      fc.property(
        origin,
        fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "X-CUSTOM"),
        path,
        fc.array(label, { minLength: 1, maxLength: 2 }).map((l) => `${l.join(".")}.test`),
        fc.uniqueArray(fc.tuple(token, headerValue), {
          maxLength: 3,
          selector: ([n]) => n.toLowerCase(),
        }),
        fc.boolean(),
        (o, method, p, host, headers, credentials) => {
          const pageHeaders = headers.filter(
            ([n]) =>
              ![
                "origin",
                "host",
                "cookie",
                "referer",
                "connection",
                "te",
                "via",
                "date",
                "dnt",
                "expect",
                "trailer",
                "upgrade",
                "cookie2",
                "keep-alive",
              ].includes(n.toLowerCase()),
          );
          const input = {
            origin: o,
            method,
            path: p,
            host,
            ...(pageHeaders.length > 0
              ? { headers: pageHeaders.map(([name, value]) => ({ name, value })) }
              : {}),
            ...(credentials ? { credentials: true } : {}),
          };
          const r = parsePaste(toCurl(input));
          expect(r).toEqual({ ok: true, kind: "curl", request: input, notes: [] });
        },
      ),
      { numRuns: 500 },
    );
  });
});
