import type { Duplex } from "node:stream";
import type { Tunnel } from "./tunnel.js";
import type { UpstreamHandshake } from "./upstream.js";

/**
 * The WebSockets of one listener, both transports together: tunnels open, and handshakes waiting for
 * their backend by client side (a connection on HTTP/1.1, a stream on HTTP/2), for the count and for
 * shutdown.
 */
export class OpenWebSockets {
  readonly #tunnels = new Set<Tunnel>();
  readonly #pending = new Map<Duplex, UpstreamHandshake>();

  /** Tunnels open now. */
  get size(): number {
    return this.#tunnels.size;
  }

  opened(tunnel: Tunnel): void {
    this.#tunnels.add(tunnel);
  }

  closed(tunnel: Tunnel): void {
    this.#tunnels.delete(tunnel);
  }

  waiting(client: Duplex, handshake: UpstreamHandshake): void {
    this.#pending.set(client, handshake);
  }

  answered(client: Duplex): void {
    this.#pending.delete(client);
  }

  /** Cuts every tunnel and handshake in progress (shutdown); returns how many tunnels were open. */
  closeAll(): number {
    const open = this.#tunnels.size;
    for (const tunnel of this.#tunnels) tunnel.cut();
    for (const client of this.#pending.keys()) client.destroy();
    return open;
  }
}
