import { Socket } from "node:net";
import type { Duplex } from "node:stream";

/** How a tunnel ended, for the access log. */
export interface TunnelEnd {
  /** Who closed first: the client, the backend, or the gateway (`cut`, at shutdown). */
  readonly closedBy: "client" | "backend" | "gateway";
  /** Bytes relayed from the client to the backend, and back (WebSocket frames, as they are). */
  readonly bytesFromClient: number;
  readonly bytesFromBackend: number;
}

export interface Tunnel {
  /** Destroys both connections at once (gateway shutdown). */
  cut(): void;
}

/**
 * After one side is gone (or half-closed), how long the tunnel is given to finish closing before both
 * connections are destroyed: a peer that neither reads nor closes must not hold a tunnel forever.
 */
export const CLOSE_GRACE_MS = 5_000;

function tune(side: Duplex): void {
  if (side instanceof Socket) {
    // Frames are small and latency-bound; a dead peer is found by TCP keep-alive, not by a timer here.
    side.setNoDelay(true);
    side.setKeepAlive(true, 60_000);
    side.setTimeout(0);
  }
}

/** Ends `side` once what is queued is written, and destroys it then (or after CLOSE_GRACE_MS). */
function closeAfterFlush(side: Duplex): void {
  if (side.destroyed) return;
  if (side.writableFinished) {
    side.destroy();
    return;
  }
  const timer = setTimeout(() => side.destroy(), CLOSE_GRACE_MS);
  timer.unref();
  side.once("finish", () => {
    clearTimeout(timer);
    side.destroy();
  });
  side.once("close", () => clearTimeout(timer));
  side.end();
}

/**
 * Relays bytes both ways between the client's connection and the backend's, once both switched to
 * WebSocket. The gateway does not parse frames: they pass as they are, masking, extensions
 * (permessage-deflate) and close frames included, so the close handshake is the endpoints' own.
 * A half-close (FIN) is passed on, and both connections are destroyed if the tunnel has not closed
 * CLOSE_GRACE_MS later; when one side is closed, the other is ended after flushing what it was sent,
 * then destroyed; an error on either side destroys both. `onEnd` is called once, after both are closed.
 */
export function splice(client: Duplex, backend: Duplex, onEnd: (end: TunnelEnd) => void): Tunnel {
  tune(client);
  tune(backend);
  let bytesFromClient = 0;
  let bytesFromBackend = 0;
  let closedBy: TunnelEnd["closedBy"] | undefined;
  let open = 2;
  let grace: NodeJS.Timeout | undefined;
  const cut = () => {
    client.destroy();
    backend.destroy();
  };
  client.on("data", (chunk: Buffer) => {
    bytesFromClient += chunk.length;
  });
  backend.on("data", (chunk: Buffer) => {
    bytesFromBackend += chunk.length;
  });
  const follow = (side: Duplex, other: Duplex, name: "client" | "backend") => {
    side.on("end", () => {
      closedBy ??= name;
      // The half-close is passed on (pipe); WebSocket endpoints answer it by closing, or are cut.
      grace ??= setTimeout(cut, CLOSE_GRACE_MS).unref();
    });
    side.on("error", () => {
      closedBy ??= name;
      other.destroy();
    });
    side.once("close", () => {
      closedBy ??= name;
      closeAfterFlush(other);
      if (--open === 0) {
        clearTimeout(grace);
        onEnd({ closedBy, bytesFromClient, bytesFromBackend });
      }
    });
  };
  follow(client, backend, "client");
  follow(backend, client, "backend");
  client.pipe(backend);
  backend.pipe(client);
  return {
    cut() {
      closedBy ??= "gateway";
      cut();
    },
  };
}
