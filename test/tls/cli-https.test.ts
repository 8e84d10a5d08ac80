/**
 * `crossgate` and HTTPS (SPEC section 10): validate and lint read the certificates a file names
 * (problems with their paths; lint warns within 14 days of expiry and about unverified backends),
 * and `crossgate start` serves https from a file or a store, with the redirect listener, across
 * workers that resume each other's TLS sessions. Real processes, certificates made with openssl.
 */
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connect, type TLSSocket } from "node:tls";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Resources } from "../backends/support.js";
import { CROSSGATE_BIN, spawnGateway } from "../support/cli-process.js";
import { DAY, describeWithOpenssl, type IssuedPair, newKey, TestCa, tempDir } from "../support/tls.js";
import { http1, http2, https1 } from "../support/transports.js";

function run(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CROSSGATE_BIN, ...args], (error, stdout, stderr) => {
      resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}

/** Connects with `session` (a previous connection's), and tells whether the server resumed it. */
function resume(port: number, ca: string, session?: Buffer): Promise<{ reused: boolean; session: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket: TLSSocket = connect({
      host: "127.0.0.1",
      port,
      servername: "api.test",
      ca,
      session,
      maxVersion: "TLSv1.2",
    });
    socket.once("secureConnect", () => {
      const reused = socket.isSessionReused();
      const ticket = socket.getSession();
      socket.end();
      if (ticket === undefined) reject(new Error("no session"));
      else resolve({ reused, session: ticket });
    });
    socket.once("error", reject);
  });
}

describeWithOpenssl("crossgate with https", () => {
  const resources = new Resources();
  let dir: string;
  let ca: TestCa;
  let api: IssuedPair;

  beforeAll(async () => {
    const temp = await tempDir();
    dir = temp.dir;
    resources.add(temp.remove);
    ca = TestCa.create(dir);
    api = ca.issue({ names: ["api.test", "IP:127.0.0.1"], file: "api" });
    mkdirSync(join(dir, "conf", "tls"), { recursive: true });
    copyFileSync(api.certPath, join(dir, "conf", "tls", "api.crt"));
    copyFileSync(api.keyPath, join(dir, "conf", "tls", "api.key"));
    writeFileSync(
      join(dir, "conf", "pid.mjs"),
      "export const handler = async () => ({ statusCode: 200, body: String(process.pid) });\n",
    );
  });
  afterAll(() => resources.closeAll());

  it("validate refuses a key of another certificate on an https gateway, naming the field", async () => {
    newKey(join(dir, "conf", "tls", "other.key"));
    const file = join(dir, "conf", "mismatch.yaml");
    writeFileSync(
      file,
      `listen: { gateway: "https://127.0.0.1:8443" }
tls:
  certificates:
    - { domains: [api.test], cert: tls/api.crt, key: tls/other.key }
apis:
  - { name: a, method: GET, path: /a, backend: { type: mock, body: x } }
`,
    );
    const r = await run(["validate", file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error {3}tls\.certificates\[0\]\.key: is not the key of the certificate CN=api\.test/m,
    );
  });

  it("lint warns about a certificate expiring within 14 days and a backend whose certificate is not verified", async () => {
    const now = Date.now();
    const soon = ca.issue({ names: ["soon.test"], file: "soon", notAfter: new Date(now + 5 * DAY) });
    copyFileSync(soon.certPath, join(dir, "conf", "tls", "soon.crt"));
    copyFileSync(soon.keyPath, join(dir, "conf", "tls", "soon.key"));
    const file = join(dir, "conf", "soon.yaml");
    writeFileSync(
      file,
      `listen: { gateway: "https://127.0.0.1:8443" }
tls:
  certificates:
    - { default: true, cert: tls/soon.crt, key: tls/soon.key }
apis:
  - { name: a, method: GET, path: /a, backend: { type: http, url: "https://10.0.0.5:9443", tls: { verify: false } } }
`,
    );
    const r = await run(["lint", file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^warning tls\.certificates\[0\]\.cert: expires on .*, in 4 days: renew it/m);
    expect(r.stdout).toMatch(
      /^warning apis\[0\]\.backend\.tls\.verify: the backend's certificate is not checked/m,
    );
    expect((await run(["lint", "--strict", file])).code).toBe(2);
  });

  it("start --listen https:// refuses a configuration without certificates, saying what to add", async () => {
    const file = join(dir, "conf", "plain.yaml");
    writeFileSync(file, "apis:\n  - { name: a, method: GET, path: /a, backend: { type: mock, body: x } }\n");
    const r = await run(["start", "--config", file, "--listen", "https://127.0.0.1:0", "--workers", "1"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/tls\.certificates: the gateway listens on https:\/\/: add tls\.certificates/);
  });

  it("start serves a file over HTTP/2 and HTTPS/1.1 across two workers that resume each other's TLS sessions, with the redirect listener", async () => {
    const file = join(dir, "conf", "gateway.yaml");
    writeFileSync(
      file,
      `listen: { gateway: "https://127.0.0.1:0", redirect: "127.0.0.1:0" }
tls:
  certificates:
    - { domains: [api.test], default: true, cert: tls/api.crt, key: tls/api.key }
groups:
  - { name: api, domains: [api.test], hsts: { maxAge: 600 } }
apis:
  - { name: pid, group: api, method: GET, path: /pid, backend: { type: function, module: ./pid.mjs } }
`,
    );
    const gw = await spawnGateway(["--config", file, "--workers", "2"]);
    resources.add(async () => {
      await gw.stop();
    });
    expect(gw.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    // spawnGateway resolves on the first worker's line; the primary says when both listen.
    await gw.waitFor(/listening on https:\/\/[0-9.:]+ \(2 workers\)/);
    const port = Number(new URL(gw.url).port);
    const pids = new Set<string>();
    for (let i = 0; i < 6; i++) {
      // A new session each time: the cluster hands connections to the workers in turn.
      const h2 = http2({ ca: ca.cert, defaultHost: "api.test" });
      const r = await h2.send(gw.url, "GET", "/pid");
      await h2.close();
      expect(r).toMatchObject({ status: 200, httpVersion: "2.0" });
      expect(r.headers["strict-transport-security"]).toBe("max-age=600");
      pids.add(r.body);
    }
    expect(pids.size).toBe(2);
    const over1 = await https1({ ca: ca.cert, defaultHost: "api.test" }).send(gw.url, "GET", "/pid");
    expect(over1).toMatchObject({ status: 200, httpVersion: "1.1" });
    expect(pids.has(over1.body)).toBe(true);
    // Session tickets made by one worker are accepted by the other (the primary hands out one key set).
    let { session } = await resume(port, ca.cert);
    const reused: boolean[] = [];
    for (let i = 0; i < 4; i++) {
      const next = await resume(port, ca.cert, session);
      reused.push(next.reused);
      session = next.session;
    }
    expect(reused).toEqual([true, true, true, true]);
    // The redirect listener (a port of its own, logged by each worker).
    const line = await gw.waitFor(/redirects (http:\/\/127\.0\.0\.1:\d+) to https/);
    const redirectUrl = (/http:\/\/127\.0\.0\.1:\d+/.exec(line) as RegExpExecArray)[0];
    const redirected = await http1().send(redirectUrl, "GET", "/pid?x=1", { host: "api.test" });
    expect(redirected.status).toBe(308);
    expect(redirected.headers.location).toBe(`https://api.test:${port}/pid?x=1`);
  });

  it("start in store mode seeds certificate paths relative to the seed file and serves https", async () => {
    const seed = join(dir, "conf", "seed.yaml");
    writeFileSync(
      seed,
      `tls:
  certificates:
    - { default: true, cert: tls/api.crt, key: tls/api.key }
apis:
  - { name: hello, method: GET, path: /hello, backend: { type: mock, body: from the store } }
`,
    );
    const store = join(dir, "store.db");
    const gw = await spawnGateway([
      "--store",
      `sqlite:${store}`,
      "--seed",
      seed,
      "--listen",
      "https://127.0.0.1:0",
      "--no-admin",
    ]);
    resources.add(async () => {
      await gw.stop();
    });
    const h2 = http2({ ca: ca.cert, defaultHost: "api.test" });
    try {
      expect(await h2.send(gw.url, "GET", "/hello")).toMatchObject({ status: 200, body: "from the store" });
    } finally {
      await h2.close();
    }
  });
});
