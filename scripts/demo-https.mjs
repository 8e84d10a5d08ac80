// The HTTPS half of `npm start` (SPEC section 10): a second gateway process on
// https://localhost:8443 (HTTP/2 and HTTP/1.1), serving the same store as the http demo, with a
// certificate for localhost from a local demo CA made on first start with the `openssl` command
// (node:crypto cannot sign certificates; openssl is on nearly every machine, so no npm dependency).
// The demo's first revision names the certificate (`tls.certificates`), so both listeners serve it; the
// http listener ignores it. Certificates can also be uploaded into the store: PUT /admin/v1/certificates.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseDocument } from "yaml";

const BIN = fileURLToPath(new URL("../bin/crossgate.js", import.meta.url));

function openssl(args) {
  execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
}

/** A demo CA and a certificate for localhost, 127.0.0.1 and ::1 it signed, made once in `dir`. */
export function demoCertificate(dir) {
  const files = {
    ca: join(dir, "ca.crt"),
    caKey: join(dir, "ca.key"),
    cert: join(dir, "localhost.crt"),
    key: join(dir, "localhost.key"),
  };
  files.chain = join(dir, "localhost-chain.crt");
  if (existsSync(files.chain) && existsSync(files.key) && existsSync(files.ca)) return files;
  mkdirSync(dir, { recursive: true });
  const ec = ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"];
  openssl(["genpkey", ...ec, "-out", files.caKey]);
  openssl([
    "req",
    "-x509",
    "-new",
    "-key",
    files.caKey,
    "-subj",
    "/CN=crossgate demo CA (this machine only)",
    "-days",
    "825",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
    "-out",
    files.ca,
  ]);
  openssl(["genpkey", ...ec, "-out", files.key]);
  const csr = join(dir, "localhost.csr");
  const ext = join(dir, "localhost.ext");
  openssl(["req", "-new", "-key", files.key, "-subj", "/CN=localhost", "-out", csr]);
  writeFileSync(
    ext,
    "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n",
  );
  openssl([
    "x509",
    "-req",
    "-in",
    csr,
    "-CA",
    files.ca,
    "-CAkey",
    files.caKey,
    "-CAcreateserial",
    "-days",
    "365",
    "-sha256",
    "-extfile",
    ext,
    "-out",
    files.cert,
  ]);
  writeFileSync(files.chain, `${readFileSync(files.cert, "utf8")}${readFileSync(files.ca, "utf8")}`);
  return files;
}

/**
 * The demo's seed with the certificate named in it (`tls.certificates`, files by absolute path), written
 * beside the store: the configuration's first revision then serves both listeners, and the revision
 * numbers the README's examples use are those of examples/demo.yaml alone. The file names the demo
 * seed gives relative to its own folder (function modules, backend CA files) are made absolute, since
 * the copy lives elsewhere.
 */
export function seedWithCertificate(demoSeed, files, out) {
  const doc = parseDocument(readFileSync(demoSeed, "utf8"));
  const from = dirname(resolve(demoSeed));
  const apis = doc.get("apis");
  for (let i = 0; i < (apis?.items?.length ?? 0); i++) {
    for (const path of [
      ["apis", i, "backend", "module"],
      ["apis", i, "backend", "tls", "ca"],
    ]) {
      const file = doc.getIn(path);
      if (typeof file === "string" && !isAbsolute(file)) doc.setIn(path, resolve(from, file));
    }
  }
  const tls = [
    "",
    "# Added by npm start for its https listener (scripts/demo-https.mjs): a certificate for localhost.",
    "tls:",
    "  certificates:",
    `    - { name: demo-localhost, default: true, cert: ${JSON.stringify(files.chain)}, key: ${JSON.stringify(files.key)} }`,
    "",
  ].join("\n");
  writeFileSync(out, `${doc.toString().trimEnd()}\n${tls}`);
  return out;
}

/**
 * Starts the https demo beside the http one, when the demo runs in store mode. Resolves with the
 * lines to print, or a line saying why it did not start (the http demo runs either way).
 */
export function startHttpsDemo(storeUrl, files, dir) {
  const port = Number(process.env.DEMO_HTTPS_PORT ?? 8443);
  const child = spawn(
    process.execPath,
    [
      BIN,
      "start",
      "--store",
      storeUrl,
      "--listen",
      `https://127.0.0.1:${port}`,
      "--no-admin",
      "--workers",
      "1",
    ],
    {
      stdio: ["ignore", "inherit", "inherit"],
    },
  );
  process.on("exit", () => child.kill("SIGTERM"));
  const gw = `https://localhost:${port}`;
  return [
    `HTTPS demo: ${gw} (HTTP/2 and HTTP/1.1), certificate for localhost signed by a demo CA made on this machine:`,
    `  curl --cacert ${files.ca} -i ${gw}/simple -H 'Origin: http://www.cors.com'`,
    `  Trust the CA to open ${gw}/simple in a browser: import ${files.ca} as a certificate authority`,
    "  (Chrome, Edge: Settings > Privacy and security > Security > Manage certificates > Authorities;",
    "  Firefox: Settings > Privacy & Security > Certificates > View Certificates > Authorities),",
    `  or for the whole system (Debian, Ubuntu): sudo cp ${files.ca} /usr/local/share/ca-certificates/crossgate-demo.crt && sudo update-ca-certificates`,
    `  (the CA and the certificate are in ${dir}: delete it to make new ones)`,
  ];
}
