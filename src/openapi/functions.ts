/**
 * Lambda and FunctionGraph functions become `function` backends. Their code is not in the export, so
 * import writes one stub module per function (a Lambda proxy handler answering 501 with the
 * function's name) that makes the configuration valid and tells the user what to put there.
 */
import { slugify } from "./common.js";

export interface FunctionStub {
  /** The module path as the configuration names it, relative to the configuration file. */
  readonly module: string;
  /** `Lambda function` or `FunctionGraph function`. */
  readonly kind: string;
  readonly name: string;
  /** The vendor's reference: a Lambda ARN or a FunctionGraph URN. */
  readonly reference: string;
  /** The module's source text. */
  readonly content: string;
}

const LAMBDA_IN_URI = /\/functions\/(arn:[^/]+:lambda:[^/]+)\/invocations$/;
const LAMBDA_ARN = /^arn:[a-z-]+:lambda:[^:]*:[^:]*:function:([^:/]+)(?::[^:/]+)?$/;

/**
 * The Lambda ARN an integration `uri` invokes, or null: `arn:aws:apigateway:r:lambda:path/2015-03-31/
 * functions/<arn>/invocations` (REST and HTTP APIs) or a bare `arn:aws:lambda:...:function:name` (HTTP APIs).
 */
export function lambdaArn(uri: string): string | null {
  const inUri = LAMBDA_IN_URI.exec(uri);
  const arn = inUri ? (inUri[1] as string) : uri;
  return LAMBDA_ARN.test(arn) ? arn : null;
}

/** `arn:aws:lambda:r:1:function:orders:live` is `orders`. */
export function lambdaName(arn: string): string {
  return (LAMBDA_ARN.exec(arn)?.[1] as string | undefined) ?? arn;
}

/** `urn:fss:r:project:function:package:name[:version]` is `name`; anything else is used whole. */
export function functionGraphName(urn: string): string {
  const parts = urn.split(":");
  if (parts[0] === "urn" && parts[1] === "fss" && parts[4] === "function" && parts[6]) return parts[6];
  return urn;
}

/** A comment line cannot be ended or broken by the text it quotes. */
function commentSafe(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]+/g, " ");
}

function stubSource(kind: string, name: string, reference: string, module: string): string {
  const message = `${kind} ${name} is not deployed on crossgate: replace ${module} with its code`;
  return `// Written by crossgate import: a stub for the ${commentSafe(kind)} ${commentSafe(JSON.stringify(name))}.
// Source: ${commentSafe(reference)}
// Replace this handler with the function's code. It receives the event of a Lambda proxy integration
// (httpMethod, path, headers, queryStringParameters, body, ...) and returns { statusCode, headers, body }.
export const handler = async () => ({
  statusCode: 501,
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify({ error_code: "NOT_IMPLEMENTED", error_msg: ${JSON.stringify(message)} }),
});
`;
}

/** Hands out one stub module per function reference, with unique file names under `functions/`. */
export class FunctionStubs {
  readonly #byReference = new Map<string, FunctionStub>();
  readonly #files = new Set<string>();

  /** The stub for a function, created on first use. */
  stubFor(kind: string, name: string, reference: string): FunctionStub {
    const known = this.#byReference.get(reference);
    if (known) return known;
    const base = slugify(name, 56) || "function";
    let file = base;
    for (let n = 2; this.#files.has(file); n++) file = `${base}-${n}`;
    this.#files.add(file);
    const module = `./functions/${file}.mjs`;
    const stub = { module, kind, name, reference, content: stubSource(kind, name, reference, module) };
    this.#byReference.set(reference, stub);
    return stub;
  }

  get list(): FunctionStub[] {
    return [...this.#byReference.values()];
  }
}
