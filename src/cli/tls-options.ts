import { randomBytes } from "node:crypto";
import type { Config } from "../config/schema.js";
import { certificateSource, type StoredCertificates } from "../config/tls/sources.js";
import { checkTlsMaterial, servesHttps } from "../config/tls-material.js";
import { type ListenAddress, parseListen, type StartGatewayOptions } from "../gateway/server.js";
import type { Problem } from "../problems.js";

/**
 * What `crossgate start` adds for HTTPS (SPEC section 10), in one place for both modes: the
 * redirect listener, the session ticket keys workers share, and the certificate checks of store mode.
 */

/** The environment variable a cluster primary hands its workers' shared TLS session ticket keys in. */
export const TICKET_KEYS_ENV = "CROSSGATE_TLS_TICKET_KEYS";

/**
 * 48 random bytes (hex) for TLS session tickets, made once by a cluster primary so that a session
 * started with one worker resumes on any other. node:cluster already hands the first worker's keys
 * to the others when they listen (`_getServerData` in node's internal/cluster/child), but the
 * listener's context is rebuilt with its own keys when the default certificate rotates
 * (setSecureContext): with these, every context of every worker keeps the same keys.
 */
export function newTicketKeys(): string {
  return randomBytes(48).toString("hex");
}

/** The ticket keys a worker was given, removed from its environment once read. */
function inheritedTicketKeys(env: NodeJS.ProcessEnv): Buffer | undefined {
  const hex = env[TICKET_KEYS_ENV];
  if (hex === undefined) return undefined;
  delete env[TICKET_KEYS_ENV];
  return /^[0-9a-f]{96}$/.test(hex) ? Buffer.from(hex, "hex") : undefined;
}

/** The listener options of the https side: `listen.redirect`, and the shared ticket keys. */
export function httpsServeOptions(
  config: Config,
  listen: ListenAddress,
  env: NodeJS.ProcessEnv = process.env,
): Pick<StartGatewayOptions, "redirect" | "ticketKeys"> {
  const ticketKeys = inheritedTicketKeys(env);
  const redirect =
    listen.secure && config.listen?.redirect !== undefined ? parseListen(config.listen.redirect) : undefined;
  return {
    ...(redirect === undefined ? {} : { redirect }),
    ...(ticketKeys === undefined ? {} : { ticketKeys }),
  };
}

/**
 * Store mode's check of the certificates a configuration names, before it is stored: files relative
 * to the working directory, uploads in the store. Errors when this node serves https.
 */
export function storeTlsChecks(
  stored: StoredCertificates,
  listenOverride: string | undefined,
): (config: Config) => Promise<Problem[]> {
  return (config) =>
    checkTlsMaterial(config, certificateSource(process.cwd(), stored), {
      https: servesHttps(config, listenOverride),
    });
}
