import { compileConfig } from "../config/compile.js";
import { StaticSource } from "../control/static-source.js";
import { silentLogger } from "../logger.js";
import { GatewayMetrics } from "../observability/metrics.js";
import { createAdminApp } from "./server.js";

/**
 * The admin API's OpenAPI document, generated from its route schemas, as committed in
 * schema/openapi.json (`npm run openapi` regenerates it; a test fails when it drifts).
 */
export async function adminOpenApiDocument(): Promise<Record<string, unknown>> {
  const built = compileConfig({});
  if (!built.ok) throw new Error("the empty configuration does not build");
  const app = await createAdminApp({
    source: new StaticSource(built.snapshot, "openapi"),
    metrics: new GatewayMetrics(),
    logger: silentLogger,
    token: { hash: "0".repeat(64) },
  });
  try {
    return JSON.parse(JSON.stringify(app.swagger())) as Record<string, unknown>;
  } finally {
    await app.close();
  }
}

export async function adminOpenApiText(): Promise<string> {
  return `${JSON.stringify(await adminOpenApiDocument(), null, 2)}\n`;
}
