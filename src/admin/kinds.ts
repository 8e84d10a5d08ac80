import type { TObject } from "@sinclair/typebox";
import { ApiSchema, AppSchema, type Config, CorsPolicySchema, GroupSchema } from "../config/schema.js";

export type KindName = "groups" | "apis" | "cors-policies" | "apps";
export type KindField = "groups" | "apis" | "corsPolicies" | "apps";

/** A resource kind of the admin API: its URL segment, its field in the configuration, its schema. */
export interface Kind {
  /** The URL segment: `/admin/v1/{kind}`. */
  readonly kind: KindName;
  /** The configuration's list holding it. */
  readonly field: KindField;
  /** The OpenAPI component name of its schema. */
  readonly schemaId: string;
  /** For sentences: "a CORS policy". */
  readonly singular: string;
  readonly schema: TObject;
}

export const KINDS: readonly Kind[] = [
  { kind: "groups", field: "groups", schemaId: "Group", singular: "group", schema: GroupSchema },
  { kind: "apis", field: "apis", schemaId: "Api", singular: "API", schema: ApiSchema },
  {
    kind: "cors-policies",
    field: "corsPolicies",
    schemaId: "CorsPolicy",
    singular: "CORS policy",
    schema: CorsPolicySchema,
  },
  { kind: "apps", field: "apps", schemaId: "App", singular: "application", schema: AppSchema },
];

export type Resource = { readonly name: string } & Record<string, unknown>;

/** The items of a kind in a configuration (an absent list is empty). */
export function itemsOf(config: Config, kind: Kind): readonly Resource[] {
  return (config[kind.field] ?? []) as unknown as readonly Resource[];
}

/** The configuration with a kind's list replaced. */
export function withItems(config: Config, kind: Kind, items: readonly unknown[]): Config {
  return { ...config, [kind.field]: items } as Config;
}
