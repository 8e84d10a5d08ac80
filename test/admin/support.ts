import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { type RunningAdmin, startAdmin } from "../../src/admin/server.js";
import { resolveAdminToken } from "../../src/admin/token.js";
import type { Config } from "../../src/config/schema.js";
import type { Snapshot } from "../../src/config/snapshot.js";
import { ControlPlane } from "../../src/control/control-plane.js";
import { type RunningGateway, startGateway } from "../../src/gateway/server.js";
import { silentLogger } from "../../src/logger.js";
import { DecisionWindow, localDecisions } from "../../src/observability/decisions.js";
import { GatewayMetrics } from "../../src/observability/metrics.js";
import { openStore } from "../../src/store/index.js";
import { send, type TestResponse } from "../support/gateway.js";

/** Revision 1 of every harness: one mock API, so the gateway has something to serve. */
export const SEED: Config = {
  apis: [
    {
      name: "ping",
      method: "GET",
      path: "/ping",
      backend: { type: "mock", headers: { "Content-Type": "text/plain" }, body: "pong" },
    },
  ],
};

/** A stream that keeps what is written to it (stands in for stderr). */
export class Sink extends Writable {
  text = "";
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString("utf8");
    done();
  }
}

export interface AdminAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: test answers are inspected field by field
  readonly json: any;
}

export interface CallOptions {
  /** An object is sent as JSON; a string as is (set content-type yourself). */
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** The bearer token; null sends no Authorization header. Default: the harness's token. */
  readonly token?: string | null;
}

export interface Harness {
  readonly dir: string;
  readonly storeUrl: string;
  readonly plane: ControlPlane;
  readonly gateway: RunningGateway;
  readonly admin: RunningAdmin;
  readonly metrics: GatewayMetrics;
  /** The gateway's window of recent decisions, which the admin API serves. */
  readonly decisions: DecisionWindow;
  /** The admin token in clear (generated on the harness's first start). */
  readonly token: string;
  /** What resolveAdminToken printed. */
  readonly printed: string;
  call(method: string, path: string, options?: CallOptions): Promise<AdminAnswer>;
  /** A request to the data plane. */
  data(method: string, path: string, headers?: Record<string, string>): Promise<TestResponse>;
  close(): Promise<void>;
}

/** Calls an admin listener over HTTP. */
export async function callAdmin(
  base: string,
  token: string | null,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<AdminAnswer> {
  const headers: Record<string, string> = { ...options.headers };
  const bearer = options.token === undefined ? token : options.token;
  if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
  let body: string | undefined;
  if (typeof options.body === "string") body = options.body;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  const res = await fetch(new URL(path, base), { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  let json: unknown;
  try {
    json = text === "" ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/**
 * A real node: a SQLite store in a temp dir, its control plane, a gateway on port 0 following it,
 * and the admin API on port 0 with a generated token.
 */
export async function startHarness(seed: Config = SEED): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), "crossgate-admin-"));
  const storeUrl = `sqlite:${join(dir, "crossgate.db")}`;
  const store = await openStore(storeUrl);
  const metrics = new GatewayMetrics();
  let gateway: RunningGateway | undefined;
  const plane = await ControlPlane.start(store, {
    logger: silentLogger,
    cacheFile: join(dir, "last-good.json"),
    seed: async () => seed,
    onSnapshot: (snapshot: Snapshot, revision: number) => {
      metrics.revision.set(revision);
      gateway?.swap(snapshot);
    },
  });
  const decisions = new DecisionWindow();
  gateway = await startGateway(plane.snapshot, { host: "127.0.0.1", port: 0 }, { metrics, decisions });
  const sink = new Sink();
  const resolved = await resolveAdminToken(store, {}, sink);
  const token = /Bearer (\S+)"/.exec(sink.text)?.[1];
  if (token === undefined) throw new Error(`no token printed: ${sink.text}`);
  const admin = await startAdmin({
    listen: { host: "127.0.0.1", port: 0 },
    source: plane,
    metrics,
    decisions: localDecisions(decisions),
    node: { gatewayUrl: gateway.url, workers: 1, store: storeUrl },
    logger: silentLogger,
    token: resolved,
  });
  const running = gateway;
  return {
    dir,
    storeUrl,
    plane,
    gateway: running,
    admin,
    metrics,
    decisions,
    token,
    printed: sink.text,
    call: (method, path, options) => callAdmin(admin.url, token, method, path, options),
    data: (method, path, headers = {}) => send(running.url, method, path, headers),
    close: async () => {
      await admin.close();
      await running.close(0);
      await plane.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
