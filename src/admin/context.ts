import type { FastifyReply, FastifyRequest } from "fastify";
import type { Config } from "../config/schema.js";
import type { Snapshot } from "../config/snapshot.js";
import type { ConfigSource } from "../control/config-source.js";
import { type ApplyResult, type ControlPlane, StoreUnavailableError } from "../control/control-plane.js";
import type { Logger } from "../logger.js";
import type { Problem } from "../problems.js";
import type { RevisionMeta } from "../store/index.js";
import { AdminError, hideKeys, invalid, notFound, readOnly, stale } from "./admin-error.js";
import { focusProblems } from "./focus.js";

/** A whole new configuration a write wants to apply, and the revision summary that says what changed. */
export interface Prepared {
  readonly config: Config;
  readonly summary: string;
  /**
   * A write of one resource: its path in `config` (`corsPolicies[3]`). Problems inside it are then
   * answered relative to it, and warnings about other objects that were already there are not repeated.
   */
  readonly focus?: string;
}

export interface Committed<P extends Prepared> {
  readonly revision: RevisionMeta;
  readonly warnings: readonly Problem[];
  readonly prepared: P;
}

/** How many times a write without If-Match is rebased when another node committed first. */
const MAX_REBASES = 5;

/**
 * `If-Match: "7"`, `7`, `W/"7"` or a list of them; null when the write is unconditional (absent or `*`).
 * A value that is no revision number never matches.
 */
export function parseIfMatch(header: string | string[] | undefined): number[] | null {
  const text = Array.isArray(header) ? header.join(",") : header;
  if (text === undefined || text.trim() === "") return null;
  const out: number[] = [];
  for (const raw of text.split(",")) {
    const tag = raw.trim();
    if (tag === "*") return null;
    const m = /^(?:W\/)?"?([0-9]{1,15})"?$/.exec(tag);
    out.push(m ? Number(m[1]) : Number.NaN);
  }
  return out;
}

/** The warnings of the configuration being served (none before anything is). */
function servedWarnings(plane: ControlPlane): readonly Problem[] {
  try {
    return plane.snapshot.warnings;
  } catch {
    return [];
  }
}

/** How a write's problems are answered: all of them, or focused on the resource written. */
function answerFor(
  prepared: Prepared,
  before: readonly Problem[],
): (problems: readonly Problem[]) => Problem[] {
  const focus = prepared.focus;
  return (problems) => (focus === undefined ? [...problems] : focusProblems(problems, focus, before));
}

/** The actor recorded with a revision: `X-Crossgate-Actor`, else `admin`. */
export function actorOf(request: FastifyRequest): string {
  const header = request.headers["x-crossgate-actor"];
  const value = (Array.isArray(header) ? header[0] : header) ?? "";
  // Node refuses control characters in header values, except tabs: whitespace runs become one space.
  const clean = value.replace(/\s+/g, " ").trim().slice(0, 128);
  return clean === "" ? "admin" : clean;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * What the routes work against: the configuration source (src/control/config-source.ts): a store's
 * control plane (reads, writes, revisions) or a file (reads only). Writes of one node are serialized,
 * and each is committed with the revision it was based on, so no write can silently undo another
 * node's change.
 */
export class AdminContext {
  readonly source: ConfigSource;
  readonly logger: Logger;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(options: { source: ConfigSource; logger: Logger }) {
    this.source = options.source;
    this.logger = options.logger;
  }

  /** The store's control plane, when the source is a store. */
  get plane(): ControlPlane | undefined {
    return this.source.plane;
  }

  snapshot(): Snapshot {
    return this.source.snapshot;
  }

  /** The configuration served (API keys as hashes), and its revision (undefined in file mode). */
  current(): { readonly config: Config; readonly revision: number | undefined } {
    return { config: this.source.config, revision: this.source.revision };
  }

  /** Sets the ETag of a read to the current revision. */
  tagRead(reply: FastifyReply, revision: number | undefined): void {
    if (revision !== undefined) reply.header("etag", `"${revision}"`);
  }

  /** The control plane, or 409 ADMIN_READ_ONLY in file mode. */
  writable(): ControlPlane {
    if (!this.plane) throw readOnly(this.source.description);
    return this.plane;
  }

  /** The control plane, for what only a store keeps (revisions), or 404 naming the source. */
  revisionsSource(): ControlPlane {
    if (!this.plane)
      throw notFound(`revisions (the configuration is ${this.source.description}, which keeps none)`);
    return this.plane;
  }

  /**
   * Applies the configuration `prepare` derives from the current one, honouring If-Match (412 when
   * stale), as the request's actor. Throws AdminError: 400 with every problem, 412, 409, 503.
   */
  async write<P extends Prepared>(
    request: FastifyRequest,
    prepare: (base: Config) => P,
  ): Promise<Committed<P>> {
    const plane = this.writable();
    const wanted = parseIfMatch(request.headers["if-match"]);
    const actor = actorOf(request);
    const run = async (): Promise<Committed<P>> => {
      for (let attempt = 1; ; attempt++) {
        let base = plane.revision;
        if (wanted !== null && !wanted.includes(base)) {
          await plane.sync();
          base = plane.revision;
          if (!wanted.includes(base)) throw stale(base);
        }
        const prepared = prepare(plane.config);
        const answer = answerFor(prepared, servedWarnings(plane));
        let result: ApplyResult;
        try {
          result = await plane.apply(prepared.config, { actor, summary: prepared.summary }, base);
        } catch (error) {
          // Only the store failing is an outage; anything else is a bug, answered 500 and logged.
          if (!(error instanceof StoreUnavailableError)) throw error;
          throw new AdminError(
            "ADMIN_STORE_UNAVAILABLE",
            `the configuration store cannot be reached; nothing was applied (${messageOf(error)})`,
          );
        }
        if (result.ok) {
          this.logger.info(
            { revision: result.revision.number, actor, summary: prepared.summary },
            "admin API: configuration changed",
          );
          return { revision: result.revision, warnings: answer(result.warnings), prepared };
        }
        if (result.reason === "invalid") throw invalid(answer(hideKeys(result.problems)));
        // Stale: another node committed after this node last synced.
        if (wanted !== null || attempt >= MAX_REBASES) throw stale(result.current);
        await plane.sync();
      }
    };
    const next = this.#tail.then(run, run);
    this.#tail = next.catch(() => {});
    return next;
  }

  /** Runs a store read, answering 503 when the store cannot be reached. */
  async fromStore<T>(read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      throw new AdminError(
        "ADMIN_STORE_UNAVAILABLE",
        `the configuration store cannot be reached (${messageOf(error)})`,
      );
    }
  }
}
