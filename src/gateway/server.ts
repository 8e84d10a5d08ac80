import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Snapshot } from "../config/snapshot.js";
import { Gateway } from "./gateway.js";

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** Splits `127.0.0.1:8080` or `[::1]:8080` into host and port. */
export function parseListen(value: string): ListenAddress {
  const colon = value.lastIndexOf(":");
  if (colon < 0) throw new Error(`listen address ${JSON.stringify(value)} is not host:port`);
  const host = value.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  const port = Number(value.slice(colon + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`listen address ${value}: bad port`);
  return { host, port };
}

export interface RunningGateway {
  readonly gateway: Gateway;
  readonly server: Server;
  readonly address: AddressInfo;
  /** `http://host:port` of the listener. */
  readonly url: string;
  close(): Promise<void>;
}

/** Starts a gateway on a node:http server; port 0 picks a free port. */
export async function startGateway(snapshot: Snapshot, listen: ListenAddress): Promise<RunningGateway> {
  const gateway = new Gateway(snapshot);
  const server = createServer({ keepAliveTimeout: 65_000 }, gateway.handle);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    gateway,
    server,
    address,
    url: `http://${host}:${address.port}`,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await gateway.close();
    },
  };
}
