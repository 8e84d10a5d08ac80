import cluster, { type Worker } from "node:cluster";
import {
  type DecisionSource,
  type DecisionWindow,
  MAX_ORIGINS,
  mergeRecent,
  mergeSummaries,
  type RecentDecision,
  type TrafficSummary,
} from "./decisions.js";

/**
 * `--workers N`: each worker keeps its own decision window and the admin API runs in the primary,
 * which asks every worker over the cluster's IPC channel and merges the answers (as metrics.ts does
 * with prom-client's AggregatorRegistry for /metrics).
 */

const REQUEST = "crossgate:decisions:request";
const REPLY = "crossgate:decisions:reply";
/** A worker that does not answer within this time is left out of the answer. */
const REPLY_TIMEOUT_MS = 2000;

interface DecisionsRequest {
  readonly type: typeof REQUEST;
  readonly id: number;
  readonly what: "summary" | "recent";
  readonly limit: number;
}

interface DecisionsReply {
  readonly type: typeof REPLY;
  readonly id: number;
  readonly summary?: TrafficSummary;
  readonly recent?: RecentDecision[];
}

function isRequest(message: unknown): message is DecisionsRequest {
  return typeof message === "object" && message !== null && (message as { type?: unknown }).type === REQUEST;
}

function isReply(message: unknown): message is DecisionsReply {
  return typeof message === "object" && message !== null && (message as { type?: unknown }).type === REPLY;
}

/** In a worker process: answer the primary's requests for this worker's window. */
export function shareDecisionsWithPrimary(window: DecisionWindow): void {
  process.on("message", (message: unknown) => {
    if (!isRequest(message) || !process.send) return;
    const reply: DecisionsReply =
      message.what === "summary"
        ? { type: REPLY, id: message.id, summary: window.summary(message.limit) }
        : { type: REPLY, id: message.id, recent: window.recent(message.limit) };
    process.send(reply);
  });
}

let nextId = 1;

function ask(worker: Worker, request: DecisionsRequest): Promise<DecisionsReply | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(undefined), REPLY_TIMEOUT_MS);
    const onMessage = (message: unknown) => {
      if (isReply(message) && message.id === request.id) done(message);
    };
    function done(reply: DecisionsReply | undefined) {
      clearTimeout(timer);
      worker.off("message", onMessage);
      resolve(reply);
    }
    worker.on("message", onMessage);
    try {
      worker.send(request);
    } catch {
      done(undefined);
    }
  });
}

async function askAll(what: "summary" | "recent", limit: number): Promise<DecisionsReply[]> {
  const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w?.isConnected() === true);
  const replies = await Promise.all(workers.map((w) => ask(w, { type: REQUEST, id: nextId++, what, limit })));
  return replies.filter((r): r is DecisionsReply => r !== undefined);
}

/** In the primary process: every worker's window, merged. */
export function clusterDecisions(): DecisionSource {
  return {
    async summary(topOrigins = 10) {
      // Each worker sends all its refused origins, so that the merged ranking is exact.
      const replies = await askAll("summary", MAX_ORIGINS + 1);
      return mergeSummaries(
        replies.flatMap((r) => (r.summary ? [r.summary] : [])),
        topOrigins,
      );
    },
    async recent(limit) {
      const replies = await askAll("recent", limit);
      return mergeRecent(
        replies.map((r) => r.recent ?? []),
        limit,
      );
    },
  };
}
