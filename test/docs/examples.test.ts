/**
 * Every shell example of README.md and docs/*.md runs here and shows what it claims (issue 10, part 6), or
 * is marked as not runnable here with the reason (see markdown-examples.ts for the markers).
 *
 * - `demo` examples run against the demo started the way the README says (`npm start`, that is
 *   scripts/demo.mjs, with its store in a temp directory), one demo per document, the blocks in document
 *   order, as a reader would type them: later blocks see what earlier ones changed.
 * - `cluster` examples run against the real PostgreSQL of test/support/postgres.ts, on a new database each.
 * - `none` examples need nothing running.
 *
 * Addresses are rewritten to free ports picked now (127.0.0.1:8080, :9876 and :8081 to the demo's), the
 * PostgreSQL of the examples to the test server, `npx crossgate` to this checkout's bin/crossgate.js, and a
 * `TOKEN=...` placeholder to the token the demo printed. Each block runs in bash with `set -eo pipefail`
 * in its own process group, killed when the block ends (an example may start servers with `&`).
 * (Runs the built CLI: `npm run build` first, as `npm test` does.)
 */
import { type ChildProcess, spawn } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeWithPostgres, startPostgres, type TestPostgres } from "../support/postgres.js";
import {
  commandsOf,
  type ExampleFile,
  type MarkdownExamples,
  missingFragment,
  readExamples,
  type Setup,
  type ShellExample,
} from "./markdown-examples.js";

const REPO = join(import.meta.dirname, "..", "..");
const BIN = join(REPO, "bin", "crossgate.js");
const BLOCK_TIMEOUT_MS = 90_000;
/** The ports the documents use for the demo: gateway, admin API, sample backend. */
const DEMO_PORTS = { gateway: "8080", admin: "9876", backend: "8081" } as const;
/** The PostgreSQL of the cluster examples: role and password, created on the test server. */
const CLUSTER_ROLE = { user: "crossgate", password: "secret", database: "crossgate" } as const;

const documents: Array<{ name: string; examples: MarkdownExamples }> = [
  "README.md",
  ...readdirSync(join(REPO, "docs"))
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => `docs/${f}`),
].map((name) => ({ name, examples: readExamples(join(REPO, name)) }));

function freePort(): Promise<string> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (address && typeof address === "object" ? resolve(String(address.port)) : reject()));
    });
  });
}

/** Maps every 127.0.0.1 port the texts name to a port of this run: `fixed` first, else a free one. */
async function portMap(
  texts: readonly string[],
  fixed: Readonly<Record<string, string>>,
): Promise<Map<string, string>> {
  const map = new Map(Object.entries(fixed));
  for (const text of texts) {
    for (const m of text.matchAll(/(?:127\.0\.0\.1:|PGPORT=)(\d{2,5})\b/g)) {
      const port = m[1] as string;
      if (!map.has(port)) map.set(port, await freePort());
    }
  }
  return map;
}

function substitute(text: string, ports: ReadonlyMap<string, string>, token: string | undefined): string {
  let out = text
    .replace(/(127\.0\.0\.1:|PGPORT=)(\d{2,5})\b/g, (whole, prefix: string, port: string) =>
      ports.has(port) ? `${prefix}${ports.get(port)}` : whole,
    )
    .replace(/\bnpx crossgate\b/g, `node ${JSON.stringify(BIN)}`);
  if (token !== undefined) out = out.replace(/\bTOKEN=[\w-]*\.\.\./g, `TOKEN=${token}`);
  return out;
}

interface BlockRun {
  readonly code: number | null;
  readonly output: string;
}

/** Runs a script with bash in its own process group; kills the group (servers it left behind) at the end. */
function runBash(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<BlockRun> {
  return new Promise((resolve) => {
    const child = spawn("bash", ["-c", script], {
      cwd,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (c: Buffer) => {
      output += c.toString("utf8");
    });
    child.stderr.on("data", (c: Buffer) => {
      output += c.toString("utf8");
    });
    const timer = setTimeout(() => {
      output += `\n[the block ran longer than ${BLOCK_TIMEOUT_MS} ms]`;
      killGroup(child);
    }, BLOCK_TIMEOUT_MS);
    child.once("exit", async (code) => {
      clearTimeout(timer);
      await stopGroup(child);
      resolve({ code, output });
    });
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

/** SIGTERM to the group, then SIGKILL after 5 s if anything is left. */
async function stopGroup(child: ChildProcess): Promise<void> {
  killGroup(child);
  for (let i = 0; i < 50; i++) {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  killGroup(child, "SIGKILL");
}

/** A working directory for one document's examples, with this checkout's examples/ beside them. */
function workDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "crossgate-docs-"));
  symlinkSync(join(REPO, "examples"), join(dir, "examples"));
  return dir;
}

function blockEnv(dir: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: dir, TMPDIR: tmpdir(), LANG: "C.UTF-8" };
}

interface RunningDemo {
  readonly ports: Record<keyof typeof DEMO_PORTS, string>;
  readonly token: string;
  readonly output: () => string;
  stop(): Promise<void>;
}

/** `npm start` (scripts/demo.mjs) on free ports, its store and a port-adjusted copy of its seed in `dir`. */
async function startDemo(dir: string): Promise<RunningDemo> {
  const ports = { gateway: await freePort(), admin: await freePort(), backend: await freePort() };
  const seedDir = join(dir, "demo-seed");
  cpSync(join(REPO, "examples"), seedDir, { recursive: true });
  const seed = join(seedDir, "demo.yaml");
  writeFileSync(seed, readFileSync(seed, "utf8").replaceAll("127.0.0.1:8081", `127.0.0.1:${ports.backend}`));
  const child = spawn(
    process.execPath,
    [
      join(REPO, "scripts", "demo.mjs"),
      "--store",
      `sqlite:${join(dir, "demo.db")}`,
      "--seed",
      seed,
      "--listen",
      `127.0.0.1:${ports.gateway}`,
      "--admin",
      `127.0.0.1:${ports.admin}`,
    ],
    {
      cwd: REPO,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...blockEnv(dir),
        SAMPLE_BACKEND_PORT: ports.backend,
        CROSSGATE_ADMIN_TOKEN: "",
        CROSSGATE_STORE: "",
      },
    },
  );
  let output = "";
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo did not start in 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      if (/Stop with Ctrl-C/.test(output) && /Bearer \S+"/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the demo exited (${code}) before it was ready:\n${output}`));
    });
  });
  try {
    await ready;
  } catch (error) {
    await stopGroup(child);
    throw error;
  }
  return {
    ports,
    token: (/Bearer (\S+)"/.exec(output) as RegExpExecArray)[1] as string,
    output: () => output,
    stop: () => stopGroup(child),
  };
}

function describeBlock(example: ShellExample): string {
  return `${example.file.slice(REPO.length + 1)}:${example.line}`;
}

function writeFiles(dir: string, files: readonly ExampleFile[], ports: ReadonlyMap<string, string>): void {
  for (const f of files) writeFileSync(join(dir, f.name), substitute(f.content, ports, undefined));
}

async function runExample(
  example: ShellExample & { marker: { kind: "run" } },
  dir: string,
  files: readonly ExampleFile[],
  preludes: readonly string[],
  fixed: Readonly<Record<string, string>>,
  token?: string,
): Promise<void> {
  const commands = [...preludes, commandsOf(example.code)];
  const ports = await portMap([...commands, ...files.map((f) => f.content)], fixed);
  writeFiles(dir, files, ports);
  const script = [
    "set -eo pipefail",
    "shopt -s expand_aliases",
    ...commands.map((c) => substitute(c, ports, token)),
  ];
  const run = await runBash(script.join("\n"), dir, blockEnv(dir));
  const where = `${describeBlock(example)} (exit ${run.code}):\n${script.join("\n")}\n--- output ---\n${run.output}`;
  expect(run.code, where).toBe(example.marker.exit);
  expect(
    missingFragment(run.output, example.marker.expect),
    `expected, in order: ${JSON.stringify(example.marker.expect)}\n${where}`,
  ).toBeUndefined();
}

function runnable(setup: Setup) {
  return (e: ShellExample): e is ShellExample & { marker: { kind: "run" } } =>
    e.marker.kind === "run" && e.marker.setup === setup;
}

describe("shell examples in README.md and docs/", () => {
  it("are all marked: run here (with the setup and what they show) or not runnable (with why)", () => {
    const all = documents.flatMap((d) => d.examples.shell);
    expect(all.length).toBeGreaterThan(10);
    const unmarked = all.flatMap((e) =>
      e.marker.kind === "unmarked" ? [`${describeBlock(e)}: ${e.marker.problem}`] : [],
    );
    expect(unmarked).toEqual([]);
    for (const e of all) {
      if (e.marker.kind === "skip") expect(e.marker.reason.length, describeBlock(e)).toBeGreaterThan(20);
      if (e.marker.kind === "run" && !e.marker.prelude)
        expect(e.marker.expect.length + e.marker.exit, `${describeBlock(e)} shows nothing`).toBeGreaterThan(
          0,
        );
    }
  });
});

for (const { name, examples } of documents) {
  const none = examples.shell.filter(runnable("none"));
  const demo = examples.shell.filter(runnable("demo"));
  if (none.length === 0 && demo.length === 0) continue;

  describe(`${name}: examples`, () => {
    let dir = "";
    let running: RunningDemo | undefined;
    const preludes: string[] = [];
    beforeAll(async () => {
      dir = workDir();
      if (demo.length > 0) {
        running = await startDemo(dir);
      }
    }, 90_000);
    afterAll(async () => {
      await running?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    if (demo.length > 0) {
      it("the demo's banner names the documentation, not the specification", () => {
        expect(running?.output()).toMatch(/Try the seed exchanges \(README\.md/);
        expect(running?.output()).not.toMatch(/SPEC/);
      });
    }

    for (const example of [...none, ...demo].sort((a, b) => a.line - b.line)) {
      it(
        `${describeBlock(example)} (${example.marker.setup})`,
        async () => {
          if (example.marker.setup === "none") {
            await runExample(example, dir, examples.files, [], {});
            return;
          }
          const demoRun = running as RunningDemo;
          const fixed = {
            [DEMO_PORTS.gateway]: demoRun.ports.gateway,
            [DEMO_PORTS.admin]: demoRun.ports.admin,
            [DEMO_PORTS.backend]: demoRun.ports.backend,
          };
          await runExample(example, dir, examples.files, preludes, fixed, demoRun.token);
          if (example.marker.prelude) preludes.push(commandsOf(example.code));
        },
        BLOCK_TIMEOUT_MS + 10_000,
      );
    }
  });
}

const clusterExamples = documents.flatMap((d) =>
  d.examples.shell.filter(runnable("cluster")).map((e) => ({ e, files: d.examples.files })),
);

describeWithPostgres("cluster examples against a real PostgreSQL", () => {
  let server: TestPostgres;
  let dir = "";
  beforeAll(async () => {
    server = await startPostgres();
    dir = workDir();
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    try {
      await admin.query(`create role ${CLUSTER_ROLE.user} login password '${CLUSTER_ROLE.password}'`);
      // Password authentication for that role (the harness trusts everyone else), so the examples' way of
      // passing the password is really exercised.
      const { rows } = await admin.query<{ hba_file: string }>("show hba_file");
      const hba = rows[0]?.hba_file as string;
      writeFileSync(
        hba,
        `host all ${CLUSTER_ROLE.user} 127.0.0.1/32 scram-sha-256\n${readFileSync(hba, "utf8")}`,
      );
      await admin.query("select pg_reload_conf()");
    } finally {
      await admin.end();
    }
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("there is at least one, in README.md and in docs/operations.md", () => {
    const files = new Set(clusterExamples.map(({ e }) => e.file.slice(REPO.length + 1)));
    expect(files).toEqual(new Set(["README.md", "docs/operations.md"]));
  });

  for (const { e, files } of clusterExamples) {
    it(
      describeBlock(e),
      async () => {
        // A new, empty database for every example, as on a first start.
        const admin = new pg.Client({ connectionString: server.url });
        await admin.connect();
        try {
          await admin.query(`drop database if exists ${CLUSTER_ROLE.database} with (force)`);
          await admin.query(`create database ${CLUSTER_ROLE.database} owner ${CLUSTER_ROLE.user}`);
        } finally {
          await admin.end();
        }
        const exampleDir = join(dir, `line-${e.line}`);
        mkdirSync(exampleDir);
        symlinkSync(join(REPO, "examples"), join(exampleDir, "examples"));
        await runExample(e as ShellExample & { marker: { kind: "run" } }, exampleDir, files, [], {
          "5432": String(server.port),
        });
      },
      BLOCK_TIMEOUT_MS + 10_000,
    );
  }
});
