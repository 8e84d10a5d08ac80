import { isParseError, parseOrigin } from "../cors/index.js";
import { type Problem, type ProblemCode, problem } from "../problems.js";

/**
 * The rules of SPEC section 10 that need no file: how listen.gateway, listen.redirect,
 * tls.certificates, groups' hsts and backends' tls fit together. Reading the certificates
 * (missing files, a key from another certificate, expiry, uncovered domains) is tls-material.ts.
 * Works on the raw document: items that fail the schema are skipped field by field.
 */
export function validateTls(doc: Readonly<Record<string, unknown>>): Problem[] {
  const problems: Problem[] = [];
  // The severity of each code is the problem table's (src/problems.ts).
  const add = (code: ProblemCode, path: string, value: unknown, reason: string) => {
    problems.push(problem(code, path, value, reason));
  };

  const listen = record(doc.listen);
  const gateway = typeof listen.gateway === "string" ? listen.gateway : undefined;
  const https = gateway !== undefined && isHttpsListen(gateway);
  const plain = gateway !== undefined && !https;
  const tls = record(doc.tls);
  const certificates = Array.isArray(tls.certificates) ? tls.certificates.map(record) : [];

  if (https && certificates.length === 0) {
    add(
      "TLS_NO_CERTIFICATE",
      "tls.certificates",
      undefined,
      `listen.gateway is ${gateway}: add tls.certificates, a certificate and key per domain (or one with default: true)`,
    );
  }
  if (typeof listen.redirect === "string") {
    if (plain) {
      add(
        "LISTEN_REDIRECT",
        "listen.redirect",
        listen.redirect,
        "redirects to https, but listen.gateway is plain http: make it https://HOST:PORT",
      );
    } else if (gateway !== undefined && samePort(gateway, listen.redirect)) {
      add("LISTEN_REDIRECT", "listen.redirect", listen.redirect, "is the gateway's own address and port");
    }
  }

  const names = new Map<string, number>();
  const domains = new Map<string, number>();
  let defaultAt: number | undefined;
  certificates.forEach((c, i) => {
    const at = `tls.certificates[${i}]`;
    if (typeof c.name === "string") {
      const first = names.get(c.name);
      if (first !== undefined) {
        add(
          "DUPLICATE_NAME",
          `${at}.name`,
          c.name,
          `${JSON.stringify(c.name)} is already the name of tls.certificates[${first}]`,
        );
      } else names.set(c.name, i);
    }
    const files = c.cert !== undefined || c.key !== undefined;
    if (files && c.stored !== undefined) {
      add(
        "TLS_CERTIFICATE_SOURCE",
        `${at}.stored`,
        c.stored,
        "give either cert and key files or a stored certificate, not both",
      );
    } else if (!files && c.stored === undefined) {
      add("TLS_CERTIFICATE_SOURCE", at, undefined, "needs cert and key (PEM files) or stored (store mode)");
    } else if (files && c.cert === undefined) {
      add(
        "TLS_CERTIFICATE_SOURCE",
        `${at}.cert`,
        undefined,
        "a key needs its certificate: add cert (a PEM file)",
      );
    } else if (files && c.key === undefined) {
      add(
        "TLS_CERTIFICATE_SOURCE",
        `${at}.key`,
        undefined,
        "a certificate needs its private key: add key (a PEM file)",
      );
    }
    if (c.default === true) {
      if (defaultAt !== undefined) {
        add(
          "TLS_DEFAULT_DUPLICATE",
          `${at}.default`,
          true,
          `tls.certificates[${defaultAt}] is the default already; keep one`,
        );
      } else defaultAt = i;
    }
    if (Array.isArray(c.domains)) {
      if (c.domains.length === 0 && c.default !== true) {
        add(
          "TLS_DOMAIN",
          `${at}.domains`,
          [],
          "is empty: list the server names, or leave domains out to use the certificate's own names",
        );
      }
      c.domains.forEach((d: unknown, j: number) => {
        if (typeof d !== "string") return;
        const problem = checkServerName(d);
        if (problem !== null) {
          add("TLS_DOMAIN", `${at}.domains[${j}]`, d, problem);
          return;
        }
        const key = d.toLowerCase().replace(/\.$/, "");
        const first = domains.get(key);
        if (first !== undefined && first !== i) {
          add(
            "TLS_DOMAIN_DUPLICATE",
            `${at}.domains[${j}]`,
            d,
            `tls.certificates[${first}] answers ${d} already`,
          );
        } else domains.set(key, i);
      });
    }
  });

  const groups = Array.isArray(doc.groups) ? doc.groups.map(record) : [];
  groups.forEach((g, i) => {
    const hsts = record(g.hsts);
    if (g.hsts === undefined) return;
    if (
      hsts.preload === true &&
      (hsts.includeSubDomains !== true || typeof hsts.maxAge !== "number" || hsts.maxAge < 31_536_000)
    ) {
      add(
        "LINT_HSTS_PRELOAD",
        `groups[${i}].hsts.preload`,
        true,
        "the browsers' preload list takes only includeSubDomains: true with a maxAge of at least 31536000 (a year)",
      );
    }
    if (plain) {
      add(
        "LINT_HSTS_PLAIN_HTTP",
        `groups[${i}].hsts`,
        g.hsts,
        `is sent only on https responses, and listen.gateway is ${gateway}`,
      );
    }
  });

  const apis = Array.isArray(doc.apis) ? doc.apis.map(record) : [];
  apis.forEach((api, i) => {
    const backend = record(api.backend);
    if (backend.type !== "http" || backend.tls === undefined) return;
    const at = `apis[${i}].backend.tls`;
    const backendTls = record(backend.tls);
    if (typeof backend.url === "string" && backend.url.toLowerCase().startsWith("http://")) {
      add(
        "BACKEND_TLS_PLAIN",
        at,
        backend.tls,
        "applies to https:// backends only: make the url https://, or remove tls",
      );
      return;
    }
    if (backendTls.verify === false) {
      add(
        "LINT_TLS_VERIFY_OFF",
        `${at}.verify`,
        false,
        "the backend's certificate is not checked: anyone on the path can impersonate it; give its CA in tls.ca instead",
      );
      if (backendTls.ca !== undefined) {
        add("LINT_TLS_CA_UNUSED", `${at}.ca`, backendTls.ca, "is not used while verify is false");
      }
    }
  });
  return problems;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** Whether a listen address asks for TLS: `https://HOST:PORT`. */
export function isHttpsListen(address: string): boolean {
  return address.toLowerCase().startsWith("https://");
}

function portOf(address: string): string {
  return address.slice(address.lastIndexOf(":") + 1);
}

function hostOf(address: string): string {
  const bare = address.replace(/^[a-z]+:\/\//i, "");
  return bare.slice(0, bare.lastIndexOf(":"));
}

function samePort(a: string, b: string): boolean {
  return portOf(a) !== "0" && portOf(a) === portOf(b) && hostOf(a) === hostOf(b);
}

/** A server name of a certificate: a host name, or `*.` and a host name of at least two labels. */
function checkServerName(name: string): string | null {
  const wildcard = name.startsWith("*.");
  const host = wildcard ? name.slice(2) : name;
  if (host.includes("*"))
    return "a server name is a host name or *.host-name (the wildcard covers one label)";
  if (host.includes(":")) return "a server name has no port";
  if (wildcard && !host.includes("."))
    return `*.${host} would cover a top-level domain: name a domain under it`;
  const parsed = parseOrigin(`https://${host}`);
  return isParseError(parsed) ? parsed.detail : null;
}
