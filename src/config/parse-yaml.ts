import { type Alias, type Document, isAlias, isCollection, isPair, parseDocument, visit } from "yaml";
import type { Problem } from "../problems.js";
import { MAX_ALIAS_COUNT, MAX_NESTING_DEPTH, positionOf, syntaxProblem, tooDeep } from "./syntax.js";

export type YamlParseResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly problems: Problem[] };

/**
 * Parses YAML configuration text into plain data, refusing, each as a SYNTAX problem with its line
 * and column: syntax errors; an alias inside the node it names (the value would be endless);
 * nesting deeper than MAX_NESTING_DEPTH, aliases included; an alias bomb ("billion laughs", more
 * than MAX_ALIAS_COUNT uses of an anchor, nested uses multiplied); an alias to no anchor.
 * An empty document is an empty configuration.
 */
export function parseYamlText(text: string): YamlParseResult {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => {
        const at = e.linePos?.[0];
        return syntaxProblem(
          "YAML",
          at === undefined ? null : { line: at.line, column: at.col },
          e.message.split("\n")[0] ?? e.message,
        );
      }),
    };
  }
  const shape = checkShape(doc);
  if (shape !== null) return { ok: false, problems: [problemAt(text, shape.node, shape.message)] };
  const converted = toPlainData(doc);
  if ("error" in converted) {
    const alias = converted.alias;
    return { ok: false, problems: [problemAt(text, alias, aliasMessage(converted.error, alias))] };
  }
  return { ok: true, value: converted.value ?? {} };
}

function problemAt(text: string, node: { range?: readonly number[] | null } | undefined, message: string) {
  const offset = node?.range?.[0];
  return syntaxProblem("YAML", offset === undefined ? null : positionOf(text, offset), message);
}

function aliasMessage(error: Error, alias: Alias | undefined): string {
  if (error.message.startsWith("Excessive alias count")) {
    return `aliases expand beyond the limit of ${MAX_ALIAS_COUNT} uses of an anchor (nested aliases multiply): a "billion laughs" attack; write the values out, or use fewer aliases`;
  }
  if (alias !== undefined && error.message.startsWith("Unresolved alias")) {
    return `alias *${alias.source} names no anchor before it (define &${alias.source} first)`;
  }
  return error.message;
}

/**
 * doc.toJS with the alias limit set. The `yaml` package's alias errors do not say where they are,
 * so each alias node's toJSON is wrapped to note the one that threw.
 */
function toPlainData(doc: Document): { value: unknown } | { error: Error; alias: Alias | undefined } {
  let blamed: Alias | undefined;
  visit(doc, {
    Alias(_key, node) {
      const resolve = node.toJSON.bind(node);
      node.toJSON = (...args: Parameters<Alias["toJSON"]>) => {
        try {
          return resolve(...args);
        } catch (error) {
          blamed ??= node;
          throw error;
        }
      };
    },
  });
  try {
    return { value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (error) {
    return { error: error instanceof Error ? error : new Error(String(error)), alias: blamed };
  }
}

interface ShapeFinding {
  readonly node: { range?: readonly number[] | null };
  readonly message: string;
}

class Found extends Error {
  constructor(readonly finding: ShapeFinding) {
    super(finding.message);
  }
}

/**
 * An alias inside the node it names, or nesting deeper than MAX_NESTING_DEPTH (the root collection
 * is level 1; an alias counts the levels of the node it names), found before the value is built.
 * Heights of collections are remembered, so aliases cost nothing to measure again.
 */
function checkShape(doc: Document): ShapeFinding | null {
  const heights = new Map<unknown, number>();
  const ancestors = new Set<unknown>();
  /** The height of `node` (levels, itself included) at `level`; throws Found. */
  const walk = (node: unknown, level: number): number => {
    if (isAlias(node)) {
      const target = node.resolve(doc);
      if (target === undefined) return 0; // toJS reports the alias to no anchor
      if (ancestors.has(target)) {
        throw new Found({
          node,
          message: `alias *${node.source} is inside the node it names: the value would never end`,
        });
      }
      const height = heights.get(target) ?? walk(target, level);
      if (level + height - 1 > MAX_NESTING_DEPTH) throw new Found({ node, message: tooDeep() });
      return height;
    }
    if (isPair(node)) return Math.max(walk(node.key, level), walk(node.value, level));
    if (!isCollection(node)) return 0;
    if (level > MAX_NESTING_DEPTH) throw new Found({ node, message: tooDeep() });
    ancestors.add(node);
    let below = 0;
    for (const item of node.items) below = Math.max(below, walk(item, level + 1));
    ancestors.delete(node);
    heights.set(node, below + 1);
    return below + 1;
  };
  try {
    walk(doc.contents, 1);
    return null;
  } catch (error) {
    if (error instanceof Found) return error.finding;
    throw error;
  }
}
