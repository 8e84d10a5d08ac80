/**
 * A gateway started for a configuration and reached over one of the three transports a browser
 * uses (HTTP/1.1, HTTPS/1.1, HTTP/2), so that one table of exchanges runs over each. The TLS
 * gateways serve one default certificate (made with openssl, from a test CA the client trusts)
 * naming every host the tests use.
 */
import { compileConfig } from "../../src/config/compile.js";
import { type RunningGateway, startGateway } from "../../src/gateway/server.js";
import type { Dependency } from "./dependency.js";
import { opensslDependency, TestCa, tempDir } from "./tls.js";
import { http1, http2, https1, type Transport } from "./transports.js";

export type TransportName = Transport["name"];
export const TRANSPORTS: readonly TransportName[] = ["HTTP/1.1", "HTTPS/1.1", "HTTP/2"];

export interface GatewayOver {
  readonly running: RunningGateway;
  readonly transport: Transport;
  readonly url: string;
  /** `http` or `https`: the scheme of the gateway's own origin. */
  readonly scheme: "http" | "https";
  send: Transport["send"];
  close(): Promise<void>;
}

/** What a transport needs on the machine: nothing for plain HTTP, openssl for the TLS ones. */
export function transportDependency(name: TransportName): Dependency {
  return name === "HTTP/1.1" ? { available: true, missingMessage: "" } : opensslDependency();
}

/**
 * Names the TLS test certificate covers: localhost, 127.0.0.1, and every domain of the
 * configuration's groups (a `*.` domain as a wildcard when it has two labels under the star, as
 * clients refuse `*.tld`; else its parent only).
 */
function certificateNames(config: Record<string, unknown>): string[] {
  const names = new Set(["localhost", "api.test"]);
  for (const group of (config.groups ?? []) as { domains?: string[] }[]) {
    for (const domain of group.domains ?? []) {
      const lower = domain.toLowerCase();
      if (!lower.startsWith("*.")) names.add(lower);
      else if (lower.split(".").length >= 3) names.add(lower);
      else names.add(`any${lower.slice(1)}`);
    }
  }
  return [...names];
}

/** Starts a gateway for `config` on 127.0.0.1 port 0, plain or https as `name` asks, and its client. */
export async function startOver(name: TransportName, config: Record<string, unknown>): Promise<GatewayOver> {
  const secure = name !== "HTTP/1.1";
  let cleanup: () => Promise<void> = async () => {};
  let ca: string | undefined;
  let full = config;
  if (secure) {
    const temp = await tempDir("crossgate-over-");
    cleanup = temp.remove;
    const testCa = TestCa.create(temp.dir);
    const leaf = testCa.issue({ names: [...certificateNames(config), "IP:127.0.0.1"], file: "gateway" });
    ca = testCa.cert;
    full = { ...config, tls: { certificates: [{ default: true, cert: leaf.certPath, key: leaf.keyPath }] } };
  }
  const built = compileConfig(full);
  if (!built.ok) {
    await cleanup();
    throw new Error(
      `invalid test configuration:\n${built.problems.map((p) => `${p.path}: ${p.reason}`).join("\n")}`,
    );
  }
  const running = await startGateway(built.snapshot, {
    host: "127.0.0.1",
    port: 0,
    ...(secure ? { secure } : {}),
  });
  const transport =
    name === "HTTP/1.1"
      ? http1()
      : name === "HTTPS/1.1"
        ? https1({ ca: ca as string })
        : http2({ ca: ca as string });
  return {
    running,
    transport,
    url: running.url,
    scheme: secure ? "https" : "http",
    send: transport.send,
    async close() {
      await transport.close();
      await running.close();
      await cleanup();
    },
  };
}
