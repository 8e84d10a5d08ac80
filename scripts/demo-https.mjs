// The HTTPS half of `npm start` (SPEC section 10): a second gateway process on
// https://localhost:8443 (HTTP/2 and HTTP/1.1), serving the same store as the http demo, with a
// certificate for localhost from a local demo CA made on first start with the `openssl` command
// (node:crypto cannot sign certificates; openssl is on nearly every machine, so no npm dependency).
// The certificate is uploaded into the store, as `PUT /admin/v1/certificates` would, so the
// configuration names it (`tls.certificates[].stored`) and the http demo keeps working unchanged.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { normalizePem, storedId } from "../dist/gateway/tls/certificate.js";
import { openStore } from "../dist/store/index.js";

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
  if (existsSync(files.cert) && existsSync(files.key) && existsSync(files.ca)) return files;
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
  return files;
}

/** Puts the certificate into the store and names it in the configuration, unless it is named already. */
async function storeCertificate(storeUrl, files) {
  const cert = normalizePem(`${readFileSync(files.cert, "utf8")}${readFileSync(files.ca, "utf8")}`);
  const key = normalizePem(readFileSync(files.key, "utf8"));
  const id = storedId(cert, key);
  const store = await openStore(storeUrl);
  try {
    await store.migrate();
    const head = await store.head();
    if (head === null || head.config.tls?.certificates?.some((c) => c.stored === id)) return;
    await store.putCertificate({ id, cert, key });
    const others = (head.config.tls?.certificates ?? []).filter((c) => c.name !== "demo-localhost");
    await store.commit(
      {
        ...head.config,
        tls: {
          ...head.config.tls,
          certificates: [...others, { name: "demo-localhost", default: true, stored: id }],
        },
      },
      { actor: "npm start", summary: "create certificates/demo-localhost (the demo's https listener)" },
      head.meta.number,
    );
  } finally {
    await store.close();
  }
}

/**
 * Starts the https demo beside the http one, when the demo runs in store mode. Resolves with the
 * lines to print, or a line saying why it did not start (the http demo runs either way).
 */
export async function startHttpsDemo(args) {
  if (args.includes("--config"))
    return ["HTTPS demo: not started (it follows the store; run without --config)."];
  const at = args.indexOf("--store");
  const storeUrl = at >= 0 ? args[at + 1] : "sqlite:./crossgate.db";
  const port = Number(process.env.DEMO_HTTPS_PORT ?? 8443);
  const dir = resolve(".crossgate-demo");
  let files;
  try {
    files = demoCertificate(dir);
  } catch (error) {
    return [
      `HTTPS demo: not started, the openssl command is needed to make its certificate (${error.message.split("\n")[0]}).`,
    ];
  }
  await storeCertificate(storeUrl, files);
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
    `  curl --cacert ${join(".crossgate-demo", "ca.crt")} -i ${gw}/simple -H 'Origin: http://www.cors.com'`,
    `  Trust the CA to open ${gw}/simple in a browser: import .crossgate-demo/ca.crt as a certificate authority`,
    "  (Chrome, Edge: Settings > Privacy and security > Security > Manage certificates > Authorities;",
    "  Firefox: Settings > Privacy & Security > Certificates > View Certificates > Authorities),",
    "  or for the whole system (Debian, Ubuntu): sudo cp .crossgate-demo/ca.crt /usr/local/share/ca-certificates/crossgate-demo.crt && sudo update-ca-certificates",
  ];
}
