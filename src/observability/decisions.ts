/**
 * A bounded in-memory window of the gateway's CORS decisions, per node: counts by reason over time,
 * the top refused origins, and a log of the most recent decisions. The console's dashboard reads it
 * through the admin API (GET /admin/v1/traffic, GET /admin/v1/decisions); it is not a scrape of
 * /metrics, which has no origins and no time axis.
 *
 * Bounded three ways, so that no traffic pattern grows it: a fixed number of time buckets (a ring),
 * at most MAX_ORIGINS distinct refused origins per bucket (the rest are counted as `(other)`), and a
 * fixed-size ring of recent decisions.
 *
 * Hot path: `record` is one call per answered request. It writes into preallocated slots and Maps
 * keyed by the reason (from the engine: a handful of values), does no I/O and no string building.
 */

/** One answered request as the gateway saw it. */
export interface DecisionEvent {
  readonly requestId: string;
  readonly method: string;
  readonly host: string;
  readonly path: string;
  /** The request's Origin header; undefined when it sent none. */
  readonly origin: string | undefined;
  /** Preflights: the Access-Control-Request-Method and -Headers they asked about (so explain can be prefilled). */
  readonly requestMethod?: string | undefined;
  readonly requestHeaders?: string | undefined;
  /** The API that matched; "" when none. */
  readonly api: string;
  readonly status: number;
  /** Whether the request was a CORS preflight; undefined when no CORS rules applied. */
  readonly preflight: boolean | undefined;
  /** allowed, refused, report-only (would be refused), or none (no CORS rules applied). */
  readonly verdict: "allowed" | "refused" | "report-only" | "none";
  /** The engine's reason (ORIGIN_NOT_ALLOWED, ...), or what report mode would have refused for; "" for none. */
  readonly reason: string;
}

/** A recorded decision: the event and when it happened (ms since the epoch). */
export interface RecentDecision extends DecisionEvent {
  readonly time: number;
}

/** Counts of one time bucket. */
export interface TrafficBucket {
  /** The bucket's start, ms since the epoch. */
  readonly start: number;
  readonly requests: number;
  /** Refusals by reason (ORIGIN_NOT_ALLOWED: 3). */
  readonly refused: Readonly<Record<string, number>>;
  /** Report mode: what would have been refused, by reason. */
  readonly wouldRefuse: Readonly<Record<string, number>>;
}

export interface RefusedOrigin {
  readonly origin: string;
  readonly count: number;
  /** The reasons it was refused for, with counts. */
  readonly reasons: Readonly<Record<string, number>>;
}

/** What the window holds, as plain data: the admin API's answer, and what workers send the primary. */
export interface TrafficSummary {
  readonly bucketSeconds: number;
  /** Oldest first; only buckets inside the window, empty ones included. */
  readonly buckets: readonly TrafficBucket[];
  readonly totals: {
    readonly requests: number;
    readonly refused: Readonly<Record<string, number>>;
    readonly wouldRefuse: Readonly<Record<string, number>>;
  };
  /** Most refused first, at most `topOrigins` of them. */
  readonly topRefusedOrigins: readonly RefusedOrigin[];
  /** How many nodes (processes) contributed. */
  readonly nodes: number;
}

export interface DecisionWindowOptions {
  /** Seconds per bucket (default 60). */
  readonly bucketSeconds?: number;
  /** Buckets kept (default 60: an hour of one-minute buckets). */
  readonly buckets?: number;
  /** Recent decisions kept (default 500). */
  readonly recent?: number;
  /** The clock, for tests (default Date.now). */
  readonly now?: () => number;
}

/** Distinct refused origins counted per bucket; further ones are counted under OTHER_ORIGINS. */
export const MAX_ORIGINS = 200;
export const OTHER_ORIGINS = "(other origins)";
/** A stored origin or path is cut to this many characters: the window stays bounded in bytes too. */
const MAX_TEXT = 512;

class Bucket {
  start = -1;
  requests = 0;
  readonly refused = new Map<string, number>();
  readonly wouldRefuse = new Map<string, number>();
  /** Refused origin to reason to count. */
  readonly origins = new Map<string, Map<string, number>>();

  reset(start: number): void {
    this.start = start;
    this.requests = 0;
    this.refused.clear();
    this.wouldRefuse.clear();
    this.origins.clear();
  }
}

function bump(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

function cut(text: string): string {
  return text.length <= MAX_TEXT ? text : `${text.slice(0, MAX_TEXT - 1)}…`;
}

function fits(e: DecisionEvent): boolean {
  return (
    e.path.length <= MAX_TEXT &&
    (e.origin === undefined || e.origin.length <= MAX_TEXT) &&
    (e.requestMethod === undefined || e.requestMethod.length <= MAX_TEXT) &&
    (e.requestHeaders === undefined || e.requestHeaders.length <= MAX_TEXT) &&
    e.host.length <= MAX_TEXT
  );
}

function bounded(e: DecisionEvent): DecisionEvent {
  return {
    ...e,
    path: cut(e.path),
    host: cut(e.host),
    origin: e.origin === undefined ? undefined : cut(e.origin),
    requestMethod: e.requestMethod === undefined ? undefined : cut(e.requestMethod),
    requestHeaders: e.requestHeaders === undefined ? undefined : cut(e.requestHeaders),
  };
}

/**
 * The window of one process.
 *
 * @example
 * const window = new DecisionWindow();
 * const gateway = await startGateway(snapshot, listen, { decisions: window });
 * window.summary(); // { buckets, totals, topRefusedOrigins, ... }
 */
export class DecisionWindow {
  readonly bucketSeconds: number;
  readonly #bucketMs: number;
  readonly #buckets: Bucket[];
  /** A ring of the last events, as the gateway passed them, and when each was recorded. */
  readonly #recent: (DecisionEvent | undefined)[];
  readonly #recentTimes: Float64Array;
  #recentNext = 0;
  readonly #now: () => number;

  constructor(options: DecisionWindowOptions = {}) {
    this.bucketSeconds = options.bucketSeconds ?? 60;
    this.#bucketMs = this.bucketSeconds * 1000;
    this.#buckets = Array.from({ length: options.buckets ?? 60 }, () => new Bucket());
    this.#recent = new Array(options.recent ?? 500).fill(undefined);
    this.#recentTimes = new Float64Array(this.#recent.length);
    this.#now = options.now ?? Date.now;
  }

  /** Records one answered request. */
  record(event: DecisionEvent): void {
    const time = this.#now();
    const start = time - (time % this.#bucketMs);
    const bucket = this.#buckets[Math.floor(start / this.#bucketMs) % this.#buckets.length] as Bucket;
    if (bucket.start !== start) bucket.reset(start);
    bucket.requests++;
    if (event.verdict === "refused") {
      bump(bucket.refused, event.reason);
      const origin = event.origin === undefined ? "(no Origin)" : cut(event.origin);
      let reasons = bucket.origins.get(origin);
      if (reasons === undefined) {
        const key = bucket.origins.size < MAX_ORIGINS ? origin : OTHER_ORIGINS;
        reasons = bucket.origins.get(key);
        if (reasons === undefined) {
          reasons = new Map();
          bucket.origins.set(key, reasons);
        }
      }
      bump(reasons, event.reason);
    } else if (event.verdict === "report-only") {
      bump(bucket.wouldRefuse, event.reason);
    }
    // Hot path: the event is kept as given (the gateway builds a new one per request); only an
    // over-long value, which is rare, costs a copy.
    this.#recent[this.#recentNext] = fits(event) ? event : bounded(event);
    this.#recentTimes[this.#recentNext] = time;
    this.#recentNext = (this.#recentNext + 1) % this.#recent.length;
  }

  /** The most recent decisions, newest first, at most `limit`. */
  recent(limit = this.#recent.length): RecentDecision[] {
    const out: RecentDecision[] = [];
    const n = this.#recent.length;
    for (let i = 1; i <= n && out.length < limit; i++) {
      const at = (this.#recentNext - i + n) % n;
      const entry = this.#recent[at];
      if (entry === undefined) break;
      out.push({ ...entry, time: this.#recentTimes[at] as number });
    }
    return out;
  }

  /** The window as plain data; `topOrigins` bounds the refused-origin list. */
  summary(topOrigins = 10): TrafficSummary {
    const now = this.#now();
    const newest = now - (now % this.#bucketMs);
    const oldest = newest - (this.#buckets.length - 1) * this.#bucketMs;
    const byStart = new Map(this.#buckets.filter((b) => b.start >= oldest).map((b) => [b.start, b]));
    const buckets: TrafficBucket[] = [];
    const origins = new Map<string, Map<string, number>>();
    for (let start = oldest; start <= newest; start += this.#bucketMs) {
      const b = byStart.get(start);
      buckets.push({
        start,
        requests: b?.requests ?? 0,
        refused: b ? Object.fromEntries(b.refused) : {},
        wouldRefuse: b ? Object.fromEntries(b.wouldRefuse) : {},
      });
      if (b) {
        for (const [origin, reasons] of b.origins) {
          let into = origins.get(origin);
          if (into === undefined) {
            into = new Map();
            origins.set(origin, into);
          }
          for (const [reason, count] of reasons) bump(into, reason, count);
        }
      }
    }
    const refused =
      origins.size === 0 ? [] : [...origins].map(([origin, reasons]) => toRefused(origin, reasons));
    return {
      bucketSeconds: this.bucketSeconds,
      buckets,
      totals: totalsOf(buckets),
      topRefusedOrigins: top(refused, topOrigins),
      nodes: 1,
    };
  }
}

function toRefused(origin: string, reasons: ReadonlyMap<string, number>): RefusedOrigin {
  let count = 0;
  for (const c of reasons.values()) count += c;
  return { origin, count, reasons: Object.fromEntries(reasons) };
}

function top(list: RefusedOrigin[], limit: number): RefusedOrigin[] {
  return list.sort((a, b) => b.count - a.count || a.origin.localeCompare(b.origin)).slice(0, limit);
}

function addInto(into: Record<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

function totalsOf(buckets: readonly TrafficBucket[]): TrafficSummary["totals"] {
  let requests = 0;
  const refused: Record<string, number> = {};
  const wouldRefuse: Record<string, number> = {};
  for (const b of buckets) {
    requests += b.requests;
    addInto(refused, b.refused);
    addInto(wouldRefuse, b.wouldRefuse);
  }
  return { requests, refused, wouldRefuse };
}

/**
 * Several processes' windows as one (`--workers N`: the primary asks every worker): buckets added by
 * their start time, origins added and ranked again, recent decisions merged newest first.
 */
export function mergeSummaries(summaries: readonly TrafficSummary[], topOrigins = 10): TrafficSummary {
  const first = summaries[0];
  if (first === undefined) {
    return {
      bucketSeconds: 60,
      buckets: [],
      totals: { requests: 0, refused: {}, wouldRefuse: {} },
      topRefusedOrigins: [],
      nodes: 0,
    };
  }
  const byStart = new Map<
    number,
    { requests: number; refused: Record<string, number>; wouldRefuse: Record<string, number> }
  >();
  const origins = new Map<string, { count: number; reasons: Record<string, number> }>();
  let nodes = 0;
  for (const s of summaries) {
    nodes += s.nodes;
    for (const b of s.buckets) {
      let into = byStart.get(b.start);
      if (into === undefined) {
        into = { requests: 0, refused: {}, wouldRefuse: {} };
        byStart.set(b.start, into);
      }
      into.requests += b.requests;
      addInto(into.refused, b.refused);
      addInto(into.wouldRefuse, b.wouldRefuse);
    }
    for (const o of s.topRefusedOrigins) {
      let into = origins.get(o.origin);
      if (into === undefined) {
        into = { count: 0, reasons: {} };
        origins.set(o.origin, into);
      }
      into.count += o.count;
      addInto(into.reasons, o.reasons);
    }
  }
  const buckets = [...byStart].sort(([a], [b]) => a - b).map(([start, b]) => ({ start, ...b }));
  return {
    bucketSeconds: first.bucketSeconds,
    buckets,
    totals: totalsOf(buckets),
    topRefusedOrigins: top(
      [...origins].map(([origin, o]) => ({ origin, count: o.count, reasons: o.reasons })),
      topOrigins,
    ),
    nodes,
  };
}

export function mergeRecent(lists: readonly (readonly RecentDecision[])[], limit: number): RecentDecision[] {
  return lists
    .flat()
    .sort((a, b) => b.time - a.time)
    .slice(0, limit);
}

/** Where the admin API reads decisions from: this process's window, or every worker's (cluster). */
export interface DecisionSource {
  summary(topOrigins?: number): Promise<TrafficSummary>;
  recent(limit: number): Promise<RecentDecision[]>;
}

/** A single process's window as a DecisionSource. */
export function localDecisions(window: DecisionWindow): DecisionSource {
  return {
    summary: async (topOrigins) => window.summary(topOrigins),
    recent: async (limit) => window.recent(limit),
  };
}
