/**
 * A throwaway PostgreSQL server for tests: a fresh `initdb` cluster in a temp directory, listening on
 * 127.0.0.1 on a free port with its unix socket in that directory, trust authentication, and durability
 * switched off for speed. It is started and stopped with `pg_ctl`.
 *
 * PostgreSQL refuses to run as root, and tests (CI) run as root: then every server command runs as the
 * `postgres` system user (Debian's package creates it; when absent a dedicated system user is created with
 * `useradd`) through `runuser`, and the temp directory is owned by that user. As any other user the
 * commands run directly.
 *
 * Binaries: `$POSTGRES_BIN_DIR` when set, else the highest `/usr/lib/postgresql/<version>/bin`, else
 * `pg_ctl` and `initdb` found on PATH.
 */
import { execFile, execFileSync } from "node:child_process";
import { accessSync, constants, readdirSync, realpathSync, rmSync } from "node:fs";
import { chown, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { promisify } from "node:util";
import { type Dependency, describeWithDependency, type SuiteFactory } from "./dependency.js";

const execFileAsync = promisify(execFile);

const INSTALL_HINT = "install it with `apt-get install -y postgresql` (or set POSTGRES_BIN_DIR)";

export interface PostgresBinaries {
  dir: string;
  initdb: string;
  pgCtl: string;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function binariesIn(dir: string): PostgresBinaries | undefined {
  const initdb = join(dir, "initdb");
  const pgCtl = join(dir, "pg_ctl");
  const postgres = join(dir, "postgres");
  if (isExecutable(initdb) && isExecutable(pgCtl) && isExecutable(postgres)) return { dir, initdb, pgCtl };
  return undefined;
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** Finds initdb and pg_ctl (with the postgres server beside them), or undefined. */
export function findPostgresBinaries(): PostgresBinaries | undefined {
  const fromEnv = process.env.POSTGRES_BIN_DIR;
  if (fromEnv) return binariesIn(fromEnv);

  const root = "/usr/lib/postgresql";
  let versions: string[] = [];
  try {
    versions = readdirSync(root).filter((name) => /^\d+(\.\d+)?$/.test(name));
  } catch {
    // No Debian-style installation.
  }
  versions.sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
  for (const version of versions) {
    const found = binariesIn(join(root, version, "bin"));
    if (found) return found;
  }

  const pgCtl = onPath("pg_ctl");
  if (pgCtl) {
    // pg_ctl finds the server next to itself, so follow symlinks (/usr/local/bin/pg_ctl -> .../bin/pg_ctl).
    const found = binariesIn(dirname(realpathSync(pgCtl)));
    if (found) return found;
  }
  return undefined;
}

export function postgresDependency(): Dependency {
  return {
    available: findPostgresBinaries() !== undefined,
    missingMessage: `PostgreSQL server binaries (initdb, pg_ctl, postgres) not found: ${INSTALL_HINT}`,
  };
}

/** Returns the binaries, or throws the install hint when they are missing. */
export function requirePostgres(): PostgresBinaries {
  const found = findPostgresBinaries();
  if (!found) throw new Error(postgresDependency().missingMessage);
  return found;
}

/**
 * `describe` for suites that need PostgreSQL: runs when the server binaries are installed; when they are
 * missing, fails every test if `CI=true` and skips the suite otherwise.
 */
export function describeWithPostgres(name: string, fn: SuiteFactory): void {
  describeWithDependency(postgresDependency(), name, fn);
}

interface RunAs {
  /** Prefix that runs a command as the server's user (empty when no switch is needed). */
  prefix: string[];
  uid: number;
  gid: number;
}

const DEDICATED_USER = "crossgate-pg";

function userIds(name: string): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync("id", ["-u", name], { encoding: "utf8", stdio: "pipe" }).trim());
    const gid = Number(execFileSync("id", ["-g", name], { encoding: "utf8", stdio: "pipe" }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

function serverUser(): RunAs {
  const uid = process.getuid?.() ?? -1;
  if (uid !== 0) return { prefix: [], uid, gid: process.getgid?.() ?? -1 };
  let name = "postgres";
  let ids = userIds(name);
  if (!ids) {
    name = DEDICATED_USER;
    ids = userIds(name);
    if (!ids) {
      execFileSync(
        "useradd",
        ["--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
        { stdio: "pipe" },
      );
      ids = userIds(name);
      if (!ids) throw new Error(`could not create the system user ${name} to run PostgreSQL as`);
    }
  }
  const runuser =
    ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"].find(isExecutable) ?? onPath("runuser");
  if (!runuser) throw new Error("runuser not found: it is needed to run PostgreSQL as a non-root user");
  return { prefix: [runuser, "-u", name, "--"], ...ids };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("could not find a free port"));
      });
    });
  });
}

export interface TestPostgres {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` */
  url: string;
  host: string;
  port: number;
  /** The temp directory holding the cluster (`data/`), its unix socket and its log (`server.log`). */
  dir: string;
  /** Stops the server if it is running and removes its directory. Safe to call twice. */
  stop(): Promise<void>;
  /** Stops the server (fast shutdown: open connections are terminated), keeping its data and port. */
  stopServer(): Promise<void>;
  /** Starts the server again on the same data directory and port. */
  startServer(): Promise<void>;
  /** stopServer() then startServer(). */
  restart(): Promise<void>;
  /** The server's log so far, for failure messages. */
  log(): Promise<string>;
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = requirePostgres();
  const user = serverUser();
  const dir = await mkdtemp(join(tmpdir(), "crossgate-pg-"));
  const dataDir = join(dir, "data");
  const logFile = join(dir, "server.log");
  if (user.prefix.length > 0) await chown(dir, user.uid, user.gid);

  const run = async (command: string, args: string[], timeoutMs = 120_000): Promise<void> => {
    const [file, ...rest] = [...user.prefix, command, ...args];
    try {
      await execFileAsync(file as string, rest, {
        cwd: dir,
        timeout: timeoutMs,
        maxBuffer: 16 * 1024 * 1024,
      });
    } catch (error) {
      const e = error as Error & { stdout?: string; stderr?: string };
      let serverLog = "";
      try {
        serverLog = (await readFile(logFile, "utf8")).slice(-4000);
      } catch {
        // No log yet.
      }
      throw new Error(
        `${[command, ...args].join(" ")} failed: ${e.message}\n${e.stdout ?? ""}${e.stderr ?? ""}` +
          (serverLog ? `\n--- server.log ---\n${serverLog}` : ""),
      );
    }
  };

  let running = false;
  const pgCtlStart = () => run(bin.pgCtl, ["start", "-D", dataDir, "-l", logFile, "-w", "-t", "60", "-s"]);
  const pgCtlStop = () => run(bin.pgCtl, ["stop", "-D", dataDir, "-m", "fast", "-w", "-t", "60", "-s"]);

  // Last resort if the test process exits without stop(): take the server down and remove the directory.
  const onExit = () => {
    if (running) {
      try {
        const [file, ...rest] = [...user.prefix, bin.pgCtl, "stop", "-D", dataDir, "-m", "immediate", "-s"];
        execFileSync(file as string, rest, { cwd: dir, stdio: "ignore", timeout: 10_000 });
      } catch {
        // Nothing more to do while exiting.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };

  let port = 0;
  try {
    await run(bin.initdb, [
      "-D",
      dataDir,
      "-U",
      "postgres",
      "--auth=trust",
      "--encoding=UTF8",
      "--locale=C",
      "--no-sync",
    ]);
    // The server might lose a race for the free port with another process: then try another one.
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const settings = [
        "",
        "# crossgate test harness",
        "listen_addresses = '127.0.0.1'",
        `port = ${port}`,
        `unix_socket_directories = '${dir}'`,
        "fsync = off",
        "synchronous_commit = off",
        "full_page_writes = off",
        "max_connections = 100",
        "",
      ].join("\n");
      const confPath = join(dataDir, "postgresql.auto.conf");
      await writeFile(confPath, settings);
      if (user.prefix.length > 0) await chown(confPath, user.uid, user.gid);
      try {
        await pgCtlStart();
        running = true;
        break;
      } catch (error) {
        if (attempt >= 3) throw error;
      }
    }
  } catch (error) {
    onExit();
    throw error;
  }
  process.once("exit", onExit);

  const host = "127.0.0.1";
  let removed = false;
  const instance: TestPostgres = {
    url: `postgres://postgres@${host}:${port}/postgres`,
    host,
    port,
    dir,
    async stopServer() {
      if (!running) return;
      await pgCtlStop();
      running = false;
    },
    async startServer() {
      if (running) return;
      if (removed) throw new Error("this PostgreSQL test server was stopped for good with stop()");
      await pgCtlStart();
      running = true;
    },
    async restart() {
      await instance.stopServer();
      await instance.startServer();
    },
    async stop() {
      if (removed) return;
      try {
        await instance.stopServer();
      } finally {
        removed = true;
        process.removeListener("exit", onExit);
        await rm(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 });
      }
    },
    async log() {
      try {
        return await readFile(logFile, "utf8");
      } catch {
        return "";
      }
    },
  };
  return instance;
}
