/**
 * Starting, measuring and stopping the servers under test. Linux only: CPU time and peak memory
 * come from /proc, pinning from taskset(1).
 */
import { spawn, spawnSync } from "node:child_process";
import { closeSync, openSync, readdirSync, readFileSync, readSync, rmSync } from "node:fs";
import { connect, createServer } from "node:net";

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, nearly always 100). */
export const CLK_TCK = (() => {
  const r = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" });
  const n = Number(r.stdout?.trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
})();

/** Every child process this harness started, so that an interrupted run leaves nothing behind. */
const live = new Set();

/**
 * Kills what this harness started: each server is the leader of its own process group (spawned
 * detached), so killing the group also takes nginx's worker; wrk is killed by its pid.
 */
function killAll() {
  for (const child of live) {
    try {
      process.kill(child.groupLeader ? -child.pid : child.pid, "SIGKILL");
    } catch {}
  }
  live.clear();
}

/** Registers a child process so that it is killed if the harness exits or is interrupted. */
export function track(child, groupLeader = false) {
  child.groupLeader = groupLeader;
  live.add(child);
  const forget = () => live.delete(child);
  child.once("exit", forget);
  child.once("error", forget);
}
process.on("exit", killAll);
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

/** A free loopback port (for servers such as nginx that cannot pick their own and report it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function portOpen(port) {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts `command args` pinned to `cpu` and waits until it is ready: a stdout line matching
 * `readyPattern` (its first group is the URL), or `port` accepting connections.
 * Rejects with the last lines of stderr when it exits or times out first.
 *
 * ```js
 * const s = await startServer({ name: "raw", command: "node", args: ["peers/raw-preflight.mjs"],
 *   cpu: 0, readyPattern: /listening on (http:\S+)/ });
 * ```
 */
/**
 * The first 64 KiB of a server's stdout file, where its ready line is: the access log that follows can
 * grow by tens of MB a second under load.
 */
function fileStart(path) {
  const fd = openSync(path, "r");
  try {
    const buffer = Buffer.alloc(64 * 1024);
    return buffer.toString("utf8", 0, readSync(fd, buffer, 0, buffer.length, 0));
  } finally {
    closeSync(fd);
  }
}

export async function startServer({
  name,
  command,
  args,
  cpu,
  cwd,
  env,
  readyPattern,
  port,
  stdoutFile,
  timeoutMs = 30_000,
}) {
  const argv = cpu === undefined ? args : ["-c", String(cpu), command, ...args];
  const started = process.hrtime.bigint();
  // `stdoutFile`: the server writes its log to a file, as in production, not to a pipe this process
  // would have to drain (on some core) while the server is timed; readiness is then read from the file.
  // A new file each time, not the old one truncated: a process of an earlier round that is still
  // writing its last lines would otherwise write them at its own offset, hundreds of MB into this one.
  if (stdoutFile !== undefined) rmSync(stdoutFile, { force: true });
  const outFd = stdoutFile === undefined ? "pipe" : openSync(stdoutFile, "w");
  // taskset execs the command: the child's pid is the server's pid.
  const child = spawn(cpu === undefined ? command : "taskset", argv, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ["ignore", outFd, "pipe"],
    // Its own process group, so that an interrupted run can kill it with its children.
    detached: true,
  });
  track(child, true);
  if (typeof outFd === "number") closeSync(outFd);
  let stdout = "";
  let stderr = "";
  let exited = null;
  child.stdout?.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  child.on("exit", (code, signal) => {
    exited = signal ?? `exit code ${code}`;
  });
  child.on("error", (e) => {
    exited = e.message;
  });
  const lastLines = () =>
    stderr
      .trim()
      .split("\n")
      .filter((l) => l.trim() !== "")
      .slice(-3)
      .join(" | ") || "(no stderr)";

  const url = await new Promise((resolve, reject) => {
    let done = false;
    const finish = (fn, v) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearInterval(poll);
      fn(v);
    };
    const timer = setTimeout(
      () => finish(reject, new Error(`${name} not ready after ${timeoutMs} ms: ${lastLines()}`)),
      timeoutMs,
    );
    const poll = setInterval(async () => {
      if (exited !== null)
        finish(reject, new Error(`${name} exited (${exited}) before it was ready: ${lastLines()}`));
      else if (!readyPattern && port !== undefined && (await portOpen(port)))
        finish(resolve, `http://127.0.0.1:${port}`);
      else if (readyPattern && stdoutFile !== undefined) {
        const m = readyPattern.exec(fileStart(stdoutFile));
        if (m) finish(resolve, m[1]);
      }
    }, 50);
    child.stdout?.on("data", (d) => {
      if (done) return; // keep draining, but stop collecting
      stdout += d;
      // Match complete lines only: a chunk may end in the middle of the URL.
      const complete = stdout.slice(0, stdout.lastIndexOf("\n") + 1);
      const m = readyPattern?.exec(complete);
      if (m) finish(resolve, m[1]);
    });
  });
  const startupMs = Number(process.hrtime.bigint() - started) / 1e6;

  return {
    name,
    pid: child.pid,
    url,
    startupMs,
    stderr: () => stderr,
    /** SIGTERM, then SIGKILL after 5 s; resolves when the process has exited. */
    stop: async () => {
      if (exited !== null) return;
      const gone = new Promise((r) => child.once("exit", r));
      try {
        process.kill(child.pid, "SIGTERM");
      } catch {}
      const t = setTimeout(() => {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {}
      }, 5000);
      await gone;
      clearTimeout(t);
      await sleep(50);
    },
  };
}

function statFields(pid) {
  const s = readFileSync(`/proc/${pid}/stat`, "utf8");
  // comm (field 2) may contain spaces and parentheses: split after the last ')'. rest[0] is field 3.
  return s.slice(s.lastIndexOf(")") + 2).split(" ");
}

/** The pid and every descendant (nginx's master and its worker, for instance). */
export function processTree(root) {
  const children = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(statFields(entry)[1]);
      const list = children.get(ppid);
      if (list) list.push(Number(entry));
      else children.set(ppid, [Number(entry)]);
    } catch {}
  }
  const out = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop();
    out.push(pid);
    for (const c of children.get(pid) ?? []) stack.push(c);
  }
  return out;
}

/** CPU time (user + system) of a process tree, in microseconds. */
export function cpuMicros(root) {
  let ticks = 0;
  for (const pid of processTree(root)) {
    try {
      const f = statFields(pid);
      ticks += Number(f[11]) + Number(f[12]); // utime, stime: fields 14 and 15
    } catch {}
  }
  return (ticks * 1e6) / CLK_TCK;
}

/** Peak (VmHWM) and current (VmRSS) resident memory of a process tree, in bytes, summed. */
export function memory(root) {
  let peak = 0;
  let rss = 0;
  for (const pid of processTree(root)) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      peak += Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
      rss += Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
    } catch {}
  }
  return { peak, rss };
}

/** True when `command` can be run (found on PATH). */
export function haveCommand(command) {
  return spawnSync("sh", ["-c", `command -v ${command}`], { encoding: "utf8" }).status === 0;
}
