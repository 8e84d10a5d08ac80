/**
 * Certificates and TLS settings as configuration (SPEC section 10): what validate refuses without
 * reading a file (validate-tls.ts), what reading the files finds (tls-material.ts), each with its
 * path, and what lint warns about. Certificates are made with openssl in a temp directory.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfigFile } from "../../src/config/load.js";
import { inspectPair, normalizePem, storedId } from "../../src/config/tls/certificate.js";
import { certificateSource } from "../../src/config/tls/sources.js";
import { checkTlsMaterial } from "../../src/config/tls-material.js";
import { validateConfig } from "../../src/config/validate.js";
import type { Problem } from "../../src/problems.js";
import { DAY, describeWithOpenssl, newKey, TestCa, tempDir } from "../support/tls.js";

function codes(problems: readonly Problem[]): string[] {
  return problems.map((p) => `${p.severity} ${p.code} ${p.path}`);
}

describe("validate: TLS settings that need no file", () => {
  it("refuses an https listener without certificates", () => {
    expect(codes(validateConfig({ listen: { gateway: "https://0.0.0.0:8443" } }))).toEqual([
      "error TLS_NO_CERTIFICATE tls.certificates",
    ]);
  });

  it("accepts https://HOST:PORT and HOST:PORT for listen.gateway, and refuses another scheme", () => {
    expect(validateConfig({ listen: { gateway: "127.0.0.1:8080" } })).toEqual([]);
    expect(validateConfig({ listen: { gateway: "http://127.0.0.1:8080" } })).toEqual([]);
    expect(codes(validateConfig({ listen: { gateway: "ftp://127.0.0.1:8080" } }))[0]).toMatch(
      /^error SCHEMA listen.gateway/,
    );
  });

  it("refuses a redirect listener in front of a plain-http gateway, or on the gateway's own port", () => {
    expect(
      codes(validateConfig({ listen: { gateway: "127.0.0.1:8080", redirect: "127.0.0.1:8081" } })),
    ).toEqual(["error LISTEN_REDIRECT listen.redirect"]);
    const tls = { certificates: [{ default: true, cert: "a.crt", key: "a.key" }] };
    expect(
      codes(
        validateConfig({ listen: { gateway: "https://127.0.0.1:8443", redirect: "127.0.0.1:8443" }, tls }),
      ),
    ).toEqual(["error LISTEN_REDIRECT listen.redirect"]);
    expect(
      validateConfig({ listen: { gateway: "https://127.0.0.1:8443", redirect: "127.0.0.1:8080" }, tls }),
    ).toEqual([]);
  });

  it("needs cert and key files, or a stored certificate, but not both", () => {
    const problems = validateConfig({
      tls: {
        certificates: [
          { domains: ["a.test"] },
          { domains: ["b.test"], cert: "b.crt" },
          { domains: ["c.test"], key: "c.key" },
          { domains: ["d.test"], cert: "d.crt", key: "d.key", stored: `sha256:${"0".repeat(64)}` },
        ],
      },
    });
    expect(codes(problems)).toEqual([
      "error TLS_CERTIFICATE_SOURCE tls.certificates[0]",
      "error TLS_CERTIFICATE_SOURCE tls.certificates[1].key",
      "error TLS_CERTIFICATE_SOURCE tls.certificates[2].cert",
      "error TLS_CERTIFICATE_SOURCE tls.certificates[3].stored",
    ]);
  });

  it("refuses two defaults, a server name twice, a malformed name, a wildcard over a top-level domain, duplicate names", () => {
    const problems = validateConfig({
      tls: {
        certificates: [
          { name: "a", default: true, domains: ["a.test", "*.shop.test"], cert: "a.crt", key: "a.key" },
          {
            name: "a",
            default: true,
            domains: ["A.TEST", "b..test", "*.test", "x.*.test"],
            cert: "b.crt",
            key: "b.key",
          },
        ],
      },
    });
    expect(codes(problems)).toEqual([
      "error DUPLICATE_NAME tls.certificates[1].name",
      "error TLS_DEFAULT_DUPLICATE tls.certificates[1].default",
      "error TLS_DOMAIN_DUPLICATE tls.certificates[1].domains[0]",
      "error TLS_DOMAIN tls.certificates[1].domains[1]",
      "error TLS_DOMAIN tls.certificates[1].domains[2]",
      "error TLS_DOMAIN tls.certificates[1].domains[3]",
    ]);
  });

  it("warns about HSTS preload without its requirements, and HSTS on a plain-http gateway", () => {
    const problems = validateConfig({
      listen: { gateway: "127.0.0.1:8080" },
      groups: [
        { name: "a", hsts: { maxAge: 600, preload: true } },
        { name: "b", hsts: { maxAge: 31536000, includeSubDomains: true, preload: true } },
      ],
    });
    expect(codes(problems)).toEqual([
      "warning LINT_HSTS_PRELOAD groups[0].hsts.preload",
      "warning LINT_HSTS_PLAIN_HTTP groups[0].hsts",
      "warning LINT_HSTS_PLAIN_HTTP groups[1].hsts",
    ]);
    expect(codes(validateConfig({ groups: [{ name: "x", hsts: { maxAge: 63072001 } }] }))[0]).toMatch(
      /^error SCHEMA groups\[0\]\.hsts\.maxAge/,
    );
  });

  it("warns about a backend with verification off, refuses tls settings on an http:// backend", () => {
    const api = (name: string, backend: Record<string, unknown>) => ({
      name,
      method: "GET",
      path: `/${name}`,
      backend,
    });
    const problems = validateConfig({
      apis: [
        api("off", { type: "http", url: "https://10.0.0.5:9443", tls: { verify: false, ca: "ca.crt" } }),
        api("plain", { type: "http", url: "http://10.0.0.5:9080", tls: { ca: "ca.crt" } }),
        api("good", {
          type: "http",
          url: "https://10.0.0.5:9443",
          tls: { ca: "ca.crt", serverName: "svc.internal" },
        }),
      ],
    });
    expect(codes(problems)).toEqual([
      "warning LINT_TLS_VERIFY_OFF apis[0].backend.tls.verify",
      "warning LINT_TLS_CA_UNUSED apis[0].backend.tls.ca",
      "error BACKEND_TLS_PLAIN apis[1].backend.tls",
    ]);
  });
});

describeWithOpenssl("certificates read from their files", () => {
  let dir: string;
  let remove: () => Promise<void>;
  let ca: TestCa;
  const now = Date.now();

  beforeAll(async () => {
    ({ dir, remove } = await tempDir());
    ca = TestCa.create(dir);
    ca.issue({ names: ["api.test"], file: "api" });
    ca.issue({ names: ["*.shop.test"], file: "shop" });
    ca.issue({
      names: ["old.test"],
      file: "expired",
      notBefore: new Date(now - 30 * DAY),
      notAfter: new Date(now - DAY),
    });
    ca.issue({ names: ["soon.test"], file: "soon", notAfter: new Date(now + 3 * DAY) });
    newKey(join(dir, "other.key"));
    writeFileSync(join(dir, "garbage.crt"), "not a certificate\n");
    // A key with a passphrase.
    writeFileSync(
      join(dir, "encrypted.key"),
      "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n",
    );
  });
  afterAll(() => remove());

  const pem = (file: string) => join(dir, file);
  const read = (file: string) => readFileSync(pem(file), "utf8");

  it("describes a good pair: subject, names, dates, SHA-256 fingerprint, chain length", () => {
    const r = inspectPair(read("api.crt"), read("api.key"), now);
    if (!r.ok) throw new Error(JSON.stringify(r.findings));
    expect(r.pair.info).toMatchObject({ subject: "CN=api.test", dnsNames: ["api.test"], chainLength: 1 });
    expect(r.pair.info.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(Date.parse(r.pair.info.notAfter)).toBeGreaterThan(now);
    expect(r.pair.findings).toEqual([]);
  });

  it("finds a key of another certificate, an expired certificate, an unparsable file and an encrypted key", () => {
    const mismatch = inspectPair(read("api.crt"), read("other.key"), now);
    expect(mismatch.ok ? [] : mismatch.findings.map((f) => `${f.field} ${f.code}`)).toEqual([
      "key TLS_KEY_MISMATCH",
    ]);
    const expired = inspectPair(read("expired.crt"), read("expired.key"), now);
    expect(expired.ok ? [] : expired.findings.map((f) => `${f.field} ${f.code}`)).toEqual([
      "cert TLS_CERT_EXPIRED",
    ]);
    const garbage = inspectPair(read("garbage.crt"), read("api.key"), now);
    expect(garbage.ok ? [] : garbage.findings.map((f) => `${f.field} ${f.code}`)).toEqual([
      "cert TLS_CERT_INVALID",
    ]);
    const encrypted = inspectPair(read("api.crt"), read("encrypted.key"), now);
    expect(encrypted.ok ? [] : encrypted.findings.map((f) => `${f.field} ${f.code}`)).toEqual([
      "key TLS_KEY_INVALID",
    ]);
  });

  it("warns about a certificate expiring within 14 days and a chain in the wrong order", () => {
    const soon = inspectPair(read("soon.crt"), read("soon.key"), now);
    if (!soon.ok) throw new Error("soon.crt should be usable");
    expect(soon.pair.findings.map((f) => `${f.severity} ${f.code}`)).toEqual([
      "warning LINT_TLS_EXPIRES_SOON",
    ]);
    expect(soon.pair.findings[0]?.reason).toMatch(/in 2 days/);
    const reversed = inspectPair(`${read("api.crt")}${read("shop.crt")}`, read("api.key"), now);
    if (!reversed.ok) throw new Error("the leaf is good");
    expect(reversed.pair.findings.map((f) => f.code)).toEqual(["LINT_TLS_CHAIN_ORDER"]);
    const chained = inspectPair(`${read("api.crt")}${ca.cert}`, read("api.key"), now);
    expect(chained.ok && chained.pair.findings).toEqual([]);
  });

  it("gives the same stored id to the same upload whatever its line ends, and another to another chain", () => {
    const a = storedId(read("api.crt"), read("api.key"));
    expect(a).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(storedId(read("api.crt").replace(/\n/g, "\r\n"), `\n${read("api.key")}`)).toBe(a);
    expect(storedId(`${read("api.crt")}${ca.cert}`, read("api.key"))).not.toBe(a);
    expect(normalizePem(`junk\n${read("api.crt")}trailing`)).toBe(read("api.crt"));
  });

  it("reports every problem with its path: a missing file, a mismatched key, an expired certificate, an uncovered domain", async () => {
    const config = {
      listen: { gateway: "https://127.0.0.1:8443" },
      tls: {
        certificates: [
          { domains: ["api.test"], cert: "api.crt", key: "other.key" },
          { domains: ["old.test"], cert: "expired.crt", key: "expired.key" },
          { domains: ["gone.test"], cert: "missing.crt", key: "missing.key" },
          { domains: ["wrong.test"], cert: "shop.crt", key: "shop.key" },
        ],
      },
      groups: [{ name: "g", domains: ["api.test", "a.shop.test", "nobody.test"] }],
    };
    const problems = await checkTlsMaterial(config as never, certificateSource(dir), { https: true, now });
    expect(codes(problems)).toEqual([
      "error TLS_KEY_MISMATCH tls.certificates[0].key",
      "error TLS_CERT_EXPIRED tls.certificates[1].cert",
      "error TLS_CERT_MISSING tls.certificates[2].cert",
      "warning LINT_TLS_NAME_MISMATCH tls.certificates[3].domains[0]",
      "error TLS_DOMAIN_UNCOVERED groups[0].domains[1]",
      "error TLS_DOMAIN_UNCOVERED groups[0].domains[2]",
    ]);
    expect(problems[2]?.reason).toBe(`no file at ${join(dir, "missing.crt")}`);
    expect(problems[4]?.reason).toMatch(/no certificate in tls.certificates answers a.shop.test/);
  });

  // Regression: the two files were read in parallel, and whichever read failed first was reported,
  // so an entry with both files missing named the key now and then.
  it("names the certificate file when both files of an entry are missing, every time", async () => {
    const config = { tls: { certificates: [{ cert: "gone.crt", key: "gone.key" }] } };
    const source = certificateSource(dir);
    const paths = await Promise.all(
      Array.from({ length: 1000 }, async () => {
        const problems = await checkTlsMaterial(config as never, source, { https: true, now });
        return problems.map((p) => p.path).join(",");
      }),
    );
    expect(new Set(paths)).toEqual(new Set(["tls.certificates[0].cert"]));
  });

  it("makes the same problems warnings while the gateway listens on plain http (the certificates are unused)", async () => {
    const config = { tls: { certificates: [{ domains: ["api.test"], cert: "api.crt", key: "other.key" }] } };
    const problems = await checkTlsMaterial(config as never, certificateSource(dir), { https: false, now });
    expect(codes(problems)).toEqual(["warning TLS_KEY_MISMATCH tls.certificates[0].key"]);
    expect(problems[0]?.reason).toMatch(/unused while the gateway listens on plain http/);
  });

  it("takes a certificate's own names when an entry lists no domains, and a default covers every domain", async () => {
    const config = {
      tls: { certificates: [{ cert: "shop.crt", key: "shop.key" }] },
      groups: [{ name: "g", domains: ["a.shop.test", "*.shop.test"] }],
    };
    expect(await checkTlsMaterial(config as never, certificateSource(dir), { https: true, now })).toEqual([]);
    const withDefault = {
      tls: { certificates: [{ default: true, cert: "api.crt", key: "api.key" }] },
      groups: [{ name: "g", domains: ["anything.test"] }],
    };
    expect(
      await checkTlsMaterial(withDefault as never, certificateSource(dir), { https: true, now }),
    ).toEqual([]);
  });

  it("checks a backend's CA file", async () => {
    const config = {
      apis: [
        {
          name: "a",
          method: "GET",
          path: "/a",
          backend: { type: "http", url: "https://x.test", tls: { ca: "ca.crt" } },
        },
        {
          name: "b",
          method: "GET",
          path: "/b",
          backend: { type: "http", url: "https://x.test", tls: { ca: "nope.crt" } },
        },
        {
          name: "c",
          method: "GET",
          path: "/c",
          backend: { type: "http", url: "https://x.test", tls: { ca: "garbage.crt" } },
        },
      ],
    };
    expect(
      codes(await checkTlsMaterial(config as never, certificateSource(dir), { https: false, now })),
    ).toEqual(["error BACKEND_TLS_CA apis[1].backend.tls.ca", "error BACKEND_TLS_CA apis[2].backend.tls.ca"]);
  });

  it("loadConfigFile (validate, lint, start): paths relative to the file, errors on https, lint's 14-day warning", async () => {
    const sub = join(dir, "conf");
    mkdirSync(join(sub, "tls"), { recursive: true });
    for (const f of ["soon.crt", "soon.key", "api.crt", "other.key"])
      copyFileSync(pem(f), join(sub, "tls", f));
    const file = join(sub, "gateway.yaml");
    writeFileSync(
      file,
      `listen: { gateway: "https://127.0.0.1:8443" }
tls:
  certificates:
    - { domains: [soon.test], cert: tls/soon.crt, key: tls/soon.key }
apis:
  - { name: a, method: GET, path: /a, backend: { type: mock, body: x } }
`,
    );
    const ok = await loadConfigFile(file);
    expect(ok.ok).toBe(true);
    expect(ok.ok ? codes(ok.warnings) : []).toEqual([
      "warning LINT_TLS_EXPIRES_SOON tls.certificates[0].cert",
    ]);
    writeFileSync(
      file,
      `tls:
  certificates:
    - { default: true, cert: tls/api.crt, key: tls/other.key }
apis:
  - { name: a, method: GET, path: /a, backend: { type: mock, body: x } }
`,
    );
    // Plain http (no listen): a warning; --listen https: an error.
    const plain = await loadConfigFile(file);
    expect(plain.ok ? codes(plain.warnings) : ["not ok"]).toEqual([
      "warning TLS_KEY_MISMATCH tls.certificates[0].key",
    ]);
    const https = await loadConfigFile(file, { listen: "https://127.0.0.1:8443" });
    expect(https.ok ? ["ok"] : codes(https.problems)).toEqual([
      "error TLS_KEY_MISMATCH tls.certificates[0].key",
    ]);
    // With a problem elsewhere too: one pass lists both (the certificate was left for a second attempt).
    writeFileSync(
      file,
      `listen: { gateway: "https://127.0.0.1:8443" }
tls:
  certificates:
    - { default: true, cert: tls/missing.crt, key: tls/missing.key }
apis:
  - { name: a, method: GET, path: /a, backend: { type: mock, body: x }, corsPolicy: nowhere }
`,
    );
    const both = await loadConfigFile(file);
    expect(both.ok ? ["ok"] : codes(both.problems)).toEqual([
      expect.stringMatching(/^error \S+ apis\[0\]\.corsPolicy$/),
      "error TLS_CERT_MISSING tls.certificates[0].cert",
    ]);
    // A tls section with its own schema problem is not read: its problems are the schema's.
    writeFileSync(
      file,
      `tls:
  certificates:
    - { default: true, cert: tls/missing.crt, key: 7 }
`,
    );
    const unsound = await loadConfigFile(file);
    expect(unsound.ok ? ["ok"] : codes(unsound.problems).every((c) => !c.includes("TLS_CERT_MISSING"))).toBe(
      true,
    );
  });
});
