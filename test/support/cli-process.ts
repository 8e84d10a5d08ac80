import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const CROSSGATE_BIN = fileURLToPath(new URL("../../bin/crossgate.js", import.meta.url));

export interface GatewayProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves when a line matching `pattern` appears (bounded by `timeoutMs`). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(): Promise<number | null>;
}

/**
 * Runs `crossgate start ...args` and resolves once it logs its listening URL. One gateway process
 * unless the arguments ask for `--workers`.
 */
export function spawnGateway(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<GatewayProcess> {
  const withWorkers = args.some((a) => a.startsWith("--workers")) ? args : [...args, "--workers", "1"];
  const child = spawn(process.execPath, [CROSSGATE_BIN, "start", ...withWorkers], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    out += chunk.toString("utf8");
    for (const l of listeners) l();
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  // A bound, not a speed check: a loaded CI machine starts a process with two workers in well over 10 s.
  const waitFor = (pattern: RegExp, timeoutMs = 25_000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const m = pattern.exec(out);
        if (m) {
          listeners.delete(check);
          clearTimeout(timer);
          resolve(m[0]);
        }
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`timed out waiting for ${pattern} in:\n${out}`));
      }, timeoutMs);
      listeners.add(check);
      exited.then(() => {
        if (listeners.has(check)) {
          listeners.delete(check);
          clearTimeout(timer);
          reject(new Error(`the process exited before ${pattern}:\n${out}`));
        }
      });
      check();
    });

  return waitFor(/listening on (https?:\/\/[0-9.:[\]]+)/).then((line) => ({
    child,
    url: (/https?:\/\/[0-9.:[\]]+/.exec(line) as RegExpExecArray)[0],
    output: () => out,
    waitFor,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      return exited;
    },
  }));
}
