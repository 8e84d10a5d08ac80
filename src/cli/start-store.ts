import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { resolveAdminToken, sha256Hex } from "../admin/token.js";
import { ControlPlane } from "../control/control-plane.js";
import { readSeed } from "../control/seed.js";
import type { Logger } from "../logger.js";
import { openStore, parseStoreUrl, redactStoreUrl, storeUrlHasPassword } from "../store/index.js";
import type { Role } from "./cluster.js";
import { type AdminPlan, serveSource } from "./serve-source.js";
import { DEFAULT_ADMIN_LISTEN, type StartOptions } from "./start-options.js";
import { storeTlsChecks } from "./tls-options.js";

function defaultCacheFile(storeUrl: string): string {
  const location = parseStoreUrl(storeUrl);
  return location.kind === "sqlite" && location.path !== ":memory:"
    ? `${location.path}.last-good.json`
    : resolve("crossgate-last-good.json");
}

/** What an empty store's start line tells the operator to do. */
export const EMPTY_STORE_HINT =
  "the store is empty, so every request answers 404 (ROUTE_NOT_FOUND): store a configuration through the " +
  "admin API (PUT /admin/v1/config, or POST /admin/v1/apis), or start once with --seed FILE";

/**
 * Store mode: the configuration lives in the store (SQLite by default, PostgreSQL for clusters) and
 * follows every revision committed by any node. A new store starts empty; `--seed FILE` stores a first
 * configuration when the store is empty (SPEC section 5).
 */
export async function startFromStore(
  options: StartOptions,
  logs: { lifecycle: Logger; gateway: Logger },
  role: Role,
  args: readonly string[],
): Promise<void> {
  const logger = logs.lifecycle;
  if (role !== "worker" && options.storeFromArgs && storeUrlHasPassword(options.store)) {
    logger.warn(
      { store: redactStoreUrl(options.store) },
      "--store holds a password, which every user of this machine can read in the process list: " +
        "pass it in CROSSGATE_STORE or PGPASSWORD instead (docs/operations.md)",
    );
  }
  // Not checked here: when the store is down the control plane serves the cached configuration.
  const store = await openStore(options.store, { checkConnection: false });
  const seedFile = options.seed;
  let seeded = false;
  const plane = await ControlPlane.start(store, {
    logger,
    description: `the store ${redactStoreUrl(options.store)}`,
    cacheFile: options.cache ?? defaultCacheFile(options.store),
    // The primary (or the single process) seeds an empty store before any worker starts.
    ...(role === "worker" || seedFile === undefined
      ? {}
      : {
          seed: async () => {
            seeded = true;
            return readSeed(seedFile);
          },
        }),
    baseDir: process.cwd(),
    materialChecks: storeTlsChecks(store, options.listen),
  });
  const where = { store: redactStoreUrl(options.store), revision: plane.revision };
  if (role !== "worker") {
    if (plane.empty) logger.warn(where, `serving from the store: ${EMPTY_STORE_HINT}`);
    else logger.info(where, "serving from the store");
    if (seedFile !== undefined && !seeded && plane.status().source === "store")
      logger.info({ seed: seedFile }, "--seed not used: the store already holds a configuration");
  }
  let admin: AdminPlan | undefined;
  if (options.admin !== false && role !== "worker") {
    const configured = options.admin ?? plane.config.listen?.admin;
    let token: { hash: string };
    try {
      token = await resolveAdminToken(plane.store, process.env);
    } catch (error) {
      // The store is down at start: no token can be checked, so /admin/v1 refuses everything until a
      // restart (or CROSSGATE_ADMIN_TOKEN); health, readiness and metrics still answer.
      logger.warn(
        { error: (error as Error).message },
        "the admin token could not be read from the store: the admin API refuses every call until restarted",
      );
      token = { hash: sha256Hex(randomBytes(32).toString("hex")) };
    }
    admin = {
      address: configured ?? DEFAULT_ADMIN_LISTEN,
      explicit: configured !== undefined,
      token,
      store: redactStoreUrl(options.store),
    };
  }
  await serveSource(plane, role, args, options, logs, { admin, storedCertificates: store });
}
