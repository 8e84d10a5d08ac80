import { Kind, type TObject, type TSchema } from "@sinclair/typebox";
import { setOwnField } from "../own-field.js";
import { checkSchema } from "./schema-errors.js";

/**
 * A value whose every part is well typed, any of them possibly missing: what `wellTyped` returns.
 * List items that were ill typed are holes (`undefined`), so that indices stay those of the input.
 */
export type Loose<T> = T extends readonly (infer U)[]
  ? readonly (Loose<U> | undefined)[]
  : T extends object
    ? { readonly [K in keyof T]?: Loose<T[K]> }
    : T;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The parts of `value` that satisfy `schema`, so that the checks the schema cannot express run on
 * everything well typed even when something beside it is wrong (one pass lists every problem).
 * An object keeps its well-typed known fields; a list keeps its well-typed items at their index,
 * the others becoming holes; a union of objects keeps the variant its literal fields name (a
 * backend by its `type`). undefined when nothing of `value` is well typed. A value the schema
 * accepts is returned as is.
 *
 * @example
 * wellTyped(CorsPolicySchema, { name: "web", allowOrigin: [], allowOrigins: ["*", 5] })
 * // { name: "web", allowOrigins: ["*", <hole>] }
 */
export function wellTyped(schema: TSchema, value: unknown): unknown {
  if (checkSchema(schema, value)) return value;
  switch (schema[Kind]) {
    case "Object": {
      if (!isPlainObject(value)) return undefined;
      const out: Record<string, unknown> = {};
      for (const [key, property] of Object.entries((schema as TObject).properties)) {
        if (!Object.hasOwn(value, key)) continue;
        const kept = wellTyped(property, value[key]);
        if (kept !== undefined) out[key] = kept;
      }
      return out;
    }
    case "Array": {
      if (!Array.isArray(value)) return undefined;
      const items = (schema as TSchema & { items: TSchema }).items;
      const out: unknown[] = new Array(value.length);
      for (let i = 0; i < value.length; i++) {
        const kept = wellTyped(items, value[i]);
        if (kept !== undefined) out[i] = kept;
      }
      return out;
    }
    case "Record": {
      if (!isPlainObject(value)) return undefined;
      const [values] = Object.values(
        (schema as TSchema & { patternProperties: Record<string, TSchema> }).patternProperties,
      );
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        const kept = values === undefined ? undefined : wellTyped(values, item);
        // A key is the user's (a header name, say), and `__proto__` is one too.
        if (kept !== undefined) setOwnField(out, key, kept);
      }
      return out;
    }
    case "Union": {
      if (!isPlainObject(value)) return undefined;
      const variant = (schema as TSchema & { anyOf: TSchema[] }).anyOf.find((s) => namesVariant(s, value));
      return variant === undefined ? undefined : wellTyped(variant, value);
    }
    default:
      return undefined;
  }
}

/** Whether `value` carries every literal field of the object schema `variant` (a backend's `type`). */
function namesVariant(variant: TSchema, value: Record<string, unknown>): boolean {
  if (variant[Kind] !== "Object") return false;
  const literals = Object.entries((variant as TObject).properties).filter(([, p]) => p[Kind] === "Literal");
  return literals.length > 0 && literals.every(([key, p]) => value[key] === (p as { const?: unknown }).const);
}
