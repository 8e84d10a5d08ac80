/**
 * Generates a large crossgate configuration for the scale scenario: `apis` APIs on distinct
 * parameterized paths (/svc{i}/items/{id}), bound round-robin to `policies` CORS policies of a few
 * origins each (three exact, one wildcard), every API a small mock.
 *
 * Usage: node bench/scale/generate.mjs --apis 10000 --policies 1000 > /tmp/scale.json
 */
export const SCALE_BODY = '{"ok":true}';

/** The policy of API `i`. */
const policyOf = (i, policies) => i % policies;

export function generateConfig({ apis, policies }) {
  const corsPolicies = [];
  for (let p = 0; p < policies; p++) {
    corsPolicies.push({
      name: `pol${p}`,
      allowOrigins: [
        `https://app${p}.example.com`,
        `https://admin${p}.example.com`,
        `https://portal${p}.example.com`,
        `https://*.tenant${p}.example.net`,
      ],
      allowMethods: ["GET", "PUT", "POST", "DELETE"],
      allowHeaders: ["Content-Type", "X-Sdk-Date"],
      exposeHeaders: ["X-Request-Id"],
      maxAge: 600,
    });
  }
  const list = [];
  for (let i = 0; i < apis; i++) {
    list.push({
      name: `svc${i}`,
      method: "GET",
      path: `/svc${i}/items/{id}`,
      corsPolicy: `pol${policyOf(i, policies)}`,
      backend: { type: "mock", headers: { "Content-Type": "application/json" }, body: SCALE_BODY },
    });
  }
  return { corsPolicies, apis: list };
}

/**
 * The request the scale scenario times: a cross-origin GET to an API near the end of the table,
 * from an origin of its policy (the third exact origin).
 */
export function scaleRequest({ apis, policies }) {
  const i = Math.max(0, apis - 3);
  return {
    method: "GET",
    path: `/svc${i}/items/42`,
    headers: { Origin: `https://portal${policyOf(i, policies)}.example.com` },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { parseArgs } = await import("node:util");
  const { values } = parseArgs({
    options: { apis: { type: "string", default: "10000" }, policies: { type: "string", default: "1000" } },
  });
  process.stdout.write(
    JSON.stringify(generateConfig({ apis: Number(values.apis), policies: Number(values.policies) })),
  );
}
