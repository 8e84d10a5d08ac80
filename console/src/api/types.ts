/** The shapes of the admin API's answers that the console reads (see schema/openapi.json). */
import type { Problem } from "./client";

export type Method = "GET" | "POST" | "PUT" | "DELETE" | "PATCH" | "HEAD" | "OPTIONS" | "ANY";
export const METHODS: readonly Method[] = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "ANY"];

export interface Group {
  name: string;
  description?: string;
  domains?: string[];
  basePath?: string;
  corsPolicy?: string;
}

export interface CorsPolicy {
  name: string;
  description?: string;
  allowOrigins?: string[];
  allowOriginPatterns?: string[];
  allowMethods?: string[];
  allowHeaders?: string[];
  exposeHeaders?: string[];
  allowCredentials?: boolean;
  maxAge?: number;
  allowPrivateNetwork?: boolean;
  onDisallowedOrigin?: "reject" | "omit";
  mode?: "enforce" | "report";
  backendCorsHeaders?: "override" | "keep";
  timingAllowOrigins?: string[];
  dangerouslyAllowNullOrigin?: boolean;
}

export type Backend =
  | { type: "mock"; status?: number; headers?: Record<string, string>; body?: string }
  | { type: "http"; url: string; timeoutMs?: number; connectTimeoutMs?: number; headersTimeoutMs?: number }
  | { type: "function"; module: string; timeoutMs?: number; maxBodyBytes?: number };

export interface Api {
  name: string;
  description?: string;
  group?: string;
  method: Method;
  path: string;
  match?: "exact" | "prefix";
  auth?: "none" | "app";
  cors?: boolean;
  corsPolicy?: string;
  backend: Backend;
}

export interface App {
  name: string;
  description?: string;
  keys?: string[];
  keyHashes?: string[];
  javascriptOrigins?: string[];
  apis?: string[];
}

export interface Config {
  listen?: { gateway?: string; admin?: string };
  gateway?: Record<string, unknown>;
  groups?: Group[];
  corsPolicies?: CorsPolicy[];
  apis?: Api[];
  apps?: App[];
}

export interface WriteResult {
  revision: number;
  warnings: Problem[];
  item?: unknown;
  apiKey?: string;
  restoredFrom?: number;
}

export interface DiffLine {
  op: " " | "-" | "+" | "…";
  text?: string;
  old?: number;
  new?: number;
  skipped?: number;
}

export interface DraftCheck<I = unknown> {
  valid: boolean;
  unchanged: boolean;
  problems: Problem[];
  elsewhere: Problem[];
  yaml: string;
  changes: DiffLine[];
  insight?: PolicyInsight;
  /** Not from the API: the item that was checked, to match answers to drafts. */
  item?: I;
}

export interface PolicyInsight {
  boundApis: { name: string; via: string; method: string; path: string }[];
  effectiveOrigins: { value: string; kind: string; source: string }[];
  preflight?: {
    origin: string;
    requestMethod: string;
    requestHeaders: string;
    status: number;
    headers: [string, string][];
  };
  test?: {
    origin: string;
    allowed: boolean;
    reason: string;
    rule?: { source: string; value: string; via: "policy" | "application" };
    summary: string;
    trace: TraceStep[];
  };
}

export interface TraceStep {
  check: string;
  verdict: "pass" | "fail" | "skip" | "info";
  detail: string;
}

export interface BrowserVerdict {
  ok: boolean;
  detail?: string;
  message?: string;
  cacheSeconds?: number;
}

export interface ExplainInput {
  origin: string;
  method: string;
  path: string;
  host?: string;
  headers?: { name: string; value?: string }[];
  credentials?: boolean;
}

export interface ExplainStage {
  stage: "preflight" | "actual";
  request: { method: string; headers: [string, string][] };
  group?: string;
  api?: string;
  corsRules: string;
  answeredBy: string;
  trace: TraceStep[];
  status: number | null;
  headers: [string, string][];
  browser: BrowserVerdict;
}

export interface Explanation {
  url: string;
  preflightNeeded: boolean;
  stages: ExplainStage[];
  outcome: { ok: boolean; summary: string };
}

export interface TestExchange {
  stage: "preflight" | "actual";
  request: { method: string; path: string; headers: [string, string][] };
  response: {
    status: number;
    statusText: string;
    headers: [string, string][];
    body: string;
    bodyTruncated: boolean;
  };
  requestId?: string;
  durationMs: number;
  browser: BrowserVerdict;
}

export interface TestResult {
  exchanges: TestExchange[];
  outcome: { ok: boolean; summary: string };
  explanation: Explanation;
  agreesWithExplain: boolean;
}

export interface RevisionMeta {
  number: number;
  createdAt: string;
  actor: string;
  summary: string;
}

export interface Traffic {
  bucketSeconds: number;
  buckets: {
    start: number;
    requests: number;
    refused: Record<string, number>;
    wouldRefuse: Record<string, number>;
  }[];
  totals: { requests: number; refused: Record<string, number>; wouldRefuse: Record<string, number> };
  topRefusedOrigins: { origin: string; count: number; reasons: Record<string, number> }[];
  nodes: number;
}

export interface Decision {
  time: number;
  requestId: string;
  method: string;
  host: string;
  path: string;
  origin?: string;
  requestMethod?: string;
  requestHeaders?: string;
  api: string;
  status: number;
  preflight?: boolean;
  verdict: "allowed" | "refused" | "report-only" | "none";
  reason: string;
}

export interface Status {
  node: {
    pid: number;
    startedAt: string;
    uptimeSeconds: number;
    nodeVersion: string;
    gatewayUrl?: string;
    workers: number;
  };
  store: {
    mode: "store" | "file";
    location?: string;
    reachable: boolean;
    source: string;
    lastError?: string;
  };
  revision: { served: number; head?: number; committedAt?: string; actor?: string; summary?: string };
  counts: { groups: number; apis: number; corsPolicies: number; apps: number };
}

export interface KindDiff {
  added: string[];
  removed: string[];
  changed: { name: string; fields: string[] }[];
}

export interface ConfigDiff {
  from: number;
  to: number;
  identical: boolean;
  resources: Record<"groups" | "apis" | "cors-policies" | "apps", KindDiff>;
  settings: { path: string; from?: unknown; to?: unknown }[];
}
