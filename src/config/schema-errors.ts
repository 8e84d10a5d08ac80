import type { TSchema } from "@sinclair/typebox";
import { type TypeCheck, TypeCompiler } from "@sinclair/typebox/compiler";
import { type ValueError, ValueErrorType } from "@sinclair/typebox/errors";
import { Value } from "@sinclair/typebox/value";
import type { Problem, ProblemCode } from "../problems.js";
import { BackendSchema } from "./schema.js";
import { closestNames } from "./suggest.js";

/** `/apis/3/backend/url` to `apis[3].backend.url`. */
export function pointerToPath(pointer: string): string {
  let out = "";
  for (const raw of pointer.split("/").slice(1)) {
    const part = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (/^[0-9]+$/.test(part)) out += `[${part}]`;
    else out += out === "" ? part : `.${part}`;
  }
  return out;
}

function literalChoices(schema: TSchema): string[] | null {
  const anyOf = (schema as { anyOf?: TSchema[] }).anyOf;
  if (!anyOf) return null;
  const values = anyOf.map((s) => (s as { const?: unknown }).const);
  return values.every((v) => typeof v === "string") ? (values as string[]) : null;
}

/** What a value is, for "must be a list, not a string". */
function kindOf(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "boolean") return String(value);
  return typeof value === "number" ? "a number" : `a ${typeof value}`;
}

/** The one wording of a value that is not an object where an object is expected, at any level. */
export function notAnObject(value: unknown): string {
  return `must be an object with fields, not ${kindOf(value)}`;
}

/**
 * Schema options read by schemaProblems: `errorMessage` words every refusal of a value of the right
 * kind (a string failing its pattern, a number out of range); `problemCode` replaces SCHEMA for them,
 * where another check reports the same problem under its own code (maxAge: CORS_MAX_AGE_RANGE).
 */
interface Wording {
  readonly errorMessage?: string;
  readonly problemCode?: ProblemCode;
  readonly description?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly const?: unknown;
  readonly properties?: Record<string, TSchema>;
}

const KIND_ERRORS: ReadonlyMap<ValueErrorType, string> = new Map([
  [ValueErrorType.Array, "must be a list"],
  [ValueErrorType.String, "must be a string"],
  [ValueErrorType.Number, "must be a number"],
  [ValueErrorType.Boolean, "must be true or false"],
  [ValueErrorType.Integer, "must be a whole number"],
]);

function unknownField(error: ValueError, schema: Wording): string {
  const field = error.path
    .slice(error.path.lastIndexOf("/") + 1)
    .replace(/~1/g, "/")
    .replace(/~0/g, "~");
  const close = closestNames(field, Object.keys(schema.properties ?? {}));
  if (close.length === 0) return "unknown field (check its spelling against the configuration reference)";
  return `unknown field: did you mean ${close.map((n) => `\`${n}\``).join(" or ")}?`;
}

function describe(error: ValueError): { code: ProblemCode; reason: string } {
  const schema = error.schema as TSchema & Wording;
  const schemaError = (reason: string) => ({ code: "SCHEMA" as const, reason });
  const wrongKind = KIND_ERRORS.get(error.type);
  // A value of the wrong kind ("600" for a number) says what it is; a number that is no integer
  // (1.5) is of the right kind, and gets the schema's own wording below.
  if (
    wrongKind !== undefined &&
    !(error.type === ValueErrorType.Integer && typeof error.value === "number")
  ) {
    return schemaError(`${wrongKind}, not ${kindOf(error.value)}`);
  }
  switch (error.type) {
    case ValueErrorType.Object:
      return schemaError(notAnObject(error.value));
    case ValueErrorType.ObjectAdditionalProperties:
      return schemaError(unknownField(error, schema));
    case ValueErrorType.ObjectRequiredProperty:
      return schemaError("is required");
    case ValueErrorType.Literal:
      return schemaError(`must be ${JSON.stringify(schema.const)}`);
    case ValueErrorType.Union: {
      const choices = literalChoices(schema);
      return schemaError(choices ? `must be one of ${choices.join(", ")}` : error.message);
    }
  }
  if (schema.errorMessage !== undefined) {
    return { code: schema.problemCode ?? "SCHEMA", reason: schema.errorMessage };
  }
  switch (error.type) {
    case ValueErrorType.StringPattern:
    case ValueErrorType.StringFormat:
      return schemaError(schema.description ? `is not valid: ${schema.description}` : error.message);
    case ValueErrorType.StringMinLength:
      return schemaError(
        schema.minLength === 1 ? "must not be empty" : `must be at least ${schema.minLength} characters long`,
      );
    case ValueErrorType.StringMaxLength:
      return schemaError(`must be at most ${schema.maxLength} characters long`);
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.NumberMinimum:
      return schemaError(`must be at least ${schema.minimum}`);
    case ValueErrorType.IntegerMaximum:
    case ValueErrorType.NumberMaximum:
      return schemaError(`must be at most ${schema.maximum}`);
    default:
      return schemaError(error.message.replace(/^Expected /, "must be "));
  }
}

const BACKEND_TYPES = ["http", "mock", "function"];

function backendProblems(path: string, value: unknown): Problem[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return [{ severity: "error", code: "SCHEMA", path, value, reason: notAnObject(value) }];
  }
  const type = (value as { type?: unknown }).type;
  const variant = BackendSchema.anyOf.find((s) => s.properties.type.const === type);
  if (!variant) {
    return [
      {
        severity: "error",
        code: "SCHEMA",
        path: `${path}.type`,
        value: type,
        reason: `must be one of ${BACKEND_TYPES.join(", ")}`,
      },
    ];
  }
  return schemaProblems(variant, value, path);
}

/** Each schema's compiled check, built on first use. */
const checks = new WeakMap<TSchema, TypeCheck<TSchema>>();

/**
 * Whether `value` satisfies `schema`: `Value.Check`, through TypeBox's compiled checker (code
 * generated once per schema), which is several times faster than the interpreting `Value.Check`
 * on a configuration of 10,000 APIs.
 */
export function checkSchema(schema: TSchema, value: unknown): boolean {
  let check = checks.get(schema);
  if (check === undefined) {
    check = TypeCompiler.Compile(schema);
    checks.set(schema, check);
  }
  return check.Check(value);
}

/** Every schema violation in `value`, with readable paths and reasons, nested unions resolved. */
export function schemaProblems(schema: TSchema, value: unknown, base = ""): Problem[] {
  // Valid values, nearly all of them, cost one compiled check; only invalid ones are walked for errors.
  if (checkSchema(schema, value)) return [];
  const problems: Problem[] = [];
  for (const error of Value.Errors(schema, value)) {
    const local = pointerToPath(error.path);
    const path =
      base === ""
        ? local
        : local === ""
          ? base
          : local.startsWith("[")
            ? `${base}${local}`
            : `${base}.${local}`;
    if (/(^|\.)backend$/.test(local) && error.type === ValueErrorType.Union) {
      problems.push(...backendProblems(path, error.value));
      continue;
    }
    // A missing required field is reported once, as required, not again as of the wrong kind.
    if (error.value === undefined && error.type !== ValueErrorType.ObjectRequiredProperty && local !== "")
      continue;
    const { code, reason } = describe(error);
    problems.push({ severity: "error", code, path, value: error.value, reason });
  }
  return problems;
}
