import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { send, startTestGateway } from "../support/gateway.js";

// Issue 3, items 6 and 8: Server-Timing and Timing-Allow-Origin; limits with safe defaults.
const mockApi = (extra: Record<string, unknown> = {}) => ({
  apis: [{ name: "m", method: "ANY", path: "/m", corsPolicy: "web", backend: { type: "mock", body: "ok" } }],
  corsPolicies: [
    {
      name: "web",
      allowOrigins: ["https://app.example.com", "https://other.example.com"],
      timingAllowOrigins: ["https://app.example.com"],
    },
  ],
  ...extra,
});

/** Writes raw bytes and collects the answer until the server closes the connection or `waitMs` passes. */
function rawExchange(
  port: number,
  text: string,
  waitMs = 3000,
): Promise<{ answer: string; closedByServer: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let answer = "";
    let timer: NodeJS.Timeout | undefined;
    socket.on("data", (c: Buffer) => {
      answer += c.toString("latin1");
    });
    const done = (closedByServer: boolean) => {
      clearTimeout(timer);
      resolve({ answer, closedByServer });
    };
    socket.on("error", () => done(true));
    socket.on("end", () => done(true));
    socket.write(text);
    timer = setTimeout(() => {
      socket.destroy();
      done(false);
    }, waitMs);
  });
}

describe("Server-Timing and Timing-Allow-Origin", () => {
  it("sends Server-Timing with the gateway's and the backend's durations", async () => {
    const gw = await startTestGateway(mockApi());
    try {
      const res = await send(gw.url, "GET", "/m");
      expect(res.headers["server-timing"]).toMatch(/^gateway;dur=[0-9.]+, upstream;dur=[0-9.]+$/);
    } finally {
      await gw.close();
    }
  });

  it("sends Timing-Allow-Origin only to the origins the policy lists in timingAllowOrigins", async () => {
    const gw = await startTestGateway(mockApi());
    try {
      const listed = await send(gw.url, "GET", "/m", { origin: "https://app.example.com" });
      expect(listed.headers["timing-allow-origin"]).toBe("https://app.example.com");
      const other = await send(gw.url, "GET", "/m", { origin: "https://other.example.com" });
      expect(other.headers["access-control-allow-origin"]).toBe("https://other.example.com");
      expect(other.headers["timing-allow-origin"]).toBeUndefined();
    } finally {
      await gw.close();
    }
  });

  it("can be turned off", async () => {
    const gw = await startTestGateway(mockApi({ gateway: { serverTiming: false } }));
    try {
      expect((await send(gw.url, "GET", "/m")).headers["server-timing"]).toBeUndefined();
    } finally {
      await gw.close();
    }
  });

  it("the gateway's own answers carry Server-Timing too", async () => {
    const gw = await startTestGateway(mockApi());
    try {
      const res = await send(gw.url, "GET", "/nowhere");
      expect(res.status).toBe(404);
      expect(res.headers["server-timing"]).toMatch(/^gateway;dur=[0-9.]+$/);
    } finally {
      await gw.close();
    }
  });
});

describe("limits", () => {
  it("refuses a mock backend's body over maxBodyBytes with 413, declared by Content-Length", async () => {
    const gw = await startTestGateway(mockApi({ gateway: { limits: { maxBodyBytes: 1000 } } }));
    try {
      const res = await send(
        gw.url,
        "POST",
        "/m",
        { origin: "https://app.example.com", "content-type": "text/plain" },
        "x".repeat(1001),
      );
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body).error_code).toBe("PAYLOAD_TOO_LARGE");
      expect(res.headers["access-control-allow-origin"]).toBe("https://app.example.com");
      const ok = await send(gw.url, "POST", "/m", { "content-type": "text/plain" }, "x".repeat(1000));
      expect(ok.status).toBe(200);
    } finally {
      await gw.close();
    }
  });

  it("refuses a chunked body over maxBodyBytes with 413 and keeps serving", async () => {
    const gw = await startTestGateway(mockApi({ gateway: { limits: { maxBodyBytes: 1000 } } }));
    try {
      const chunk = "x".repeat(600);
      const size = chunk.length.toString(16);
      const { answer } = await rawExchange(
        gw.address.port,
        `POST /m HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${size}\r\n${chunk}\r\n${size}\r\n${chunk}\r\n0\r\n\r\n`,
      );
      expect(answer).toMatch(/^HTTP\/1\.1 413 /);
      expect((await send(gw.url, "GET", "/m")).status).toBe(200);
    } finally {
      await gw.close();
    }
  });

  it("refuses a request head over maxHeaderBytes with 431", async () => {
    const gw = await startTestGateway(mockApi({ gateway: { limits: { maxHeaderBytes: 2048 } } }));
    try {
      const res = await send(gw.url, "GET", "/m", { "x-big": "y".repeat(4000) });
      expect(res.status).toBe(431);
      expect((await send(gw.url, "GET", "/m")).status).toBe(200);
    } finally {
      await gw.close();
    }
  });

  it("closes a slow client that does not finish its request head within headersTimeoutMs", async () => {
    const gw = await startTestGateway(
      mockApi({ gateway: { limits: { headersTimeoutMs: 1000, requestTimeoutMs: 2000 } } }),
    );
    try {
      // Send the request line and one header, then nothing: the gateway must give up on it.
      const { answer, closedByServer } = await rawExchange(
        gw.address.port,
        "GET /m HTTP/1.1\r\nHost: a\r\n",
        8000,
      );
      expect(closedByServer).toBe(true);
      expect(answer).toMatch(/^(HTTP\/1\.1 408 |$)/);
      expect((await send(gw.url, "GET", "/m")).status).toBe(200);
    } finally {
      await gw.close();
    }
  });

  it("refuses headersTimeoutMs longer than requestTimeoutMs", async () => {
    await expect(
      startTestGateway(mockApi({ gateway: { limits: { headersTimeoutMs: 5000, requestTimeoutMs: 2000 } } })),
    ).rejects.toThrow(/headersTimeoutMs: cannot be longer than requestTimeoutMs/);
  });
});

describe("graceful shutdown", () => {
  it("lets a request in flight finish, refuses new connections, then closes", async () => {
    const { createServer } = await import("node:http");
    const upstream = createServer((_req, res) => {
      setTimeout(() => res.end("slow"), 400);
    });
    await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
    const port = (upstream.address() as { port: number }).port;
    const gw = await startTestGateway({
      apis: [
        {
          name: "slow",
          method: "GET",
          path: "/slow",
          backend: { type: "http", url: `http://127.0.0.1:${port}` },
        },
      ],
    });
    try {
      const inFlight = send(gw.url, "GET", "/slow");
      await sleep(100);
      const closing = gw.close(5000);
      await sleep(50);
      await expect(send(gw.url, "GET", "/slow")).rejects.toThrow();
      const res = await inFlight;
      expect(res.status).toBe(200);
      expect(res.body).toBe("slow");
      expect(res.headers.connection).toBe("close");
      expect((await closing).unfinished).toBe(0);
    } finally {
      await gw.close();
      await new Promise<void>((r) => upstream.close(() => r()));
    }
  });

  it("cuts requests still running when the drain time is over", async () => {
    const { createServer } = await import("node:http");
    const upstream = createServer(() => {
      // Never answers.
    });
    await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
    const port = (upstream.address() as { port: number }).port;
    const gw = await startTestGateway({
      apis: [
        {
          name: "hang",
          method: "GET",
          path: "/hang",
          backend: { type: "http", url: `http://127.0.0.1:${port}` },
        },
      ],
    });
    const hanging = send(gw.url, "GET", "/hang").catch((error: Error) => error);
    await sleep(100);
    const { unfinished } = await gw.close(300);
    expect(unfinished).toBe(1);
    expect(await hanging).toBeInstanceOf(Error);
    upstream.closeAllConnections();
    await new Promise<void>((r) => upstream.close(() => r()));
  });
});
