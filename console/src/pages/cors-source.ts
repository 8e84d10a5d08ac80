import type { Api, Config } from "../api/types";

/** Where an API's CORS rules come from, as the gateway resolves them (policy, toggle, group default, none). */
export function corsSourceOf(
  api: Api,
  config: Config | undefined,
): { kind: "policy" | "toggle" | "group" | "none"; label: string } {
  if (api.corsPolicy) return { kind: "policy", label: `policy ${api.corsPolicy}` };
  if (api.cors) return { kind: "toggle", label: "toggle" };
  const group = config?.groups?.find((g) => g.name === api.group);
  if (group?.corsPolicy) return { kind: "group", label: `group ${group.name}: ${group.corsPolicy}` };
  return { kind: "none", label: "none" };
}
