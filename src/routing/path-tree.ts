import { decodePathValue } from "./normalize-path.js";
import type { Segment } from "./route-path.js";

/**
 * The path half of routing: a tree of whole segments for one method, matched against normalized
 * paths (src/routing/normalize-path.ts). Its choices are find-my-way's with the options crossgate used
 * (ignoreTrailingSlash, maxParamLength 500; src/routing/path-tree.test.ts compares the two on
 * generated tables), at a fraction of the memory: find-my-way compiled a JavaScript function for every
 * route and static node, 25 MB for 10,000 APIs against about 3 MB here (docs/benchmarks.md, optimization 15).
 *
 * Precedence at every segment, with backtracking: a literal, then a `{param}`, then a greedy tail.
 */

/** Longer parameter values (after decoding) do not match, as find-my-way's maxParamLength. */
export const MAX_PARAM_LENGTH = 500;

interface Leaf<E> {
  readonly entry: E;
  /** Parameter names in the order the values are captured; `*` for a prefix route's tail. */
  readonly names: readonly string[];
}

class PathNode<E> {
  /** One literal child is kept in two fields; a Map only once there are several. */
  onlyKey: string | undefined = undefined;
  onlyChild: PathNode<E> | undefined = undefined;
  literals: Map<string, PathNode<E>> | undefined = undefined;
  param: PathNode<E> | undefined = undefined;
  leaf: Leaf<E> | undefined = undefined;
  greedy: Leaf<E> | undefined = undefined;

  literal(key: string): PathNode<E> | undefined {
    if (this.literals !== undefined) return this.literals.get(key);
    return key === this.onlyKey ? this.onlyChild : undefined;
  }

  addLiteral(key: string): PathNode<E> {
    const existing = this.literal(key);
    if (existing !== undefined) return existing;
    const child = new PathNode<E>();
    if (this.literals !== undefined) this.literals.set(key, child);
    else if (this.onlyChild === undefined) {
      this.onlyKey = key;
      this.onlyChild = child;
    } else {
      this.literals = new Map([[this.onlyKey as string, this.onlyChild]]);
      this.literals.set(key, child);
      this.onlyKey = undefined;
      this.onlyChild = undefined;
    }
    return child;
  }
}

/** A normalized request path made ready for matching (see `routablePath`). */
export interface SanitizedPath {
  /** The normalized path (`normalizePath`): what is forwarded, and what prefix remainders are cut from. */
  readonly raw: string;
  /** `raw` without its trailing slash: what the tree matches. */
  readonly path: string;
  /** Some `%XX` escape remains in the path: parameter values must be decoded. */
  readonly decodeParams: boolean;
}

/** A normalized path (from `normalizePath`) as the tree matches it: one trailing slash ignored. */
export function routablePath(normalized: string, encoded: boolean): SanitizedPath {
  const path =
    normalized.length > 1 && normalized.charCodeAt(normalized.length - 1) === 47
      ? normalized.slice(0, -1)
      : normalized;
  return { raw: normalized, path, decodeParams: encoded };
}

export interface PathHit<E> {
  readonly entry: E;
  readonly params: Record<string, string | undefined>;
}

export class PathTree<E> {
  readonly #root = new PathNode<E>();
  /** Routes added: an empty tree is never searched. */
  size = 0;

  /**
   * Adds a route: `segments` then, with `tail`, any non-empty rest (a prefix API's subtree, its
   * value named `*`). Returns false when the same shape is already taken (the caller reports it).
   */
  add(segments: readonly Segment[], tail: boolean, entry: E): boolean {
    let node = this.#root;
    const names: string[] = [];
    let greedy = false;
    for (const s of segments) {
      if (s.kind === "literal") node = node.addLiteral(s.text);
      else if (s.kind === "param") {
        node.param ??= new PathNode<E>();
        node = node.param;
        names.push(s.name);
      } else {
        names.push(s.name);
        greedy = true;
      }
    }
    if (tail && !greedy) {
      names.push("*");
      greedy = true;
    }
    const leaf: Leaf<E> = { entry, names };
    if (greedy) {
      if (node.greedy !== undefined) return false;
      node.greedy = leaf;
    } else {
      if (node.leaf !== undefined) return false;
      node.leaf = leaf;
    }
    this.size++;
    return true;
  }

  find(target: SanitizedPath): PathHit<E> | null {
    const { path } = target;
    const values: string[] = [];
    // "/": the root's own route; else, as in find-my-way, one empty segment that only a root
    // `{param}` or greedy tail can take.
    const leaf = (path === "/" ? this.#root.leaf : undefined) ?? this.#search(this.#root, target, 0, values);
    if (leaf == null) return null;
    const params: Record<string, string | undefined> = {};
    for (let i = 0; i < leaf.names.length; i++) params[leaf.names[i] as string] = values[i];
    return { entry: leaf.entry, params };
  }

  /** The route for the segments after `pos` (the index of a `/`, or the path's end), depth first. */
  #search(node: PathNode<E>, target: SanitizedPath, pos: number, values: string[]): Leaf<E> | null {
    const { path } = target;
    if (pos === path.length) return node.leaf ?? null;
    let end = path.indexOf("/", pos + 1);
    if (end < 0) end = path.length;
    const segment = path.slice(pos + 1, end);
    const child = node.literal(segment);
    if (child !== undefined) {
      const found = this.#search(child, target, end, values);
      if (found !== null) return found;
    }
    if (node.param !== undefined) {
      const value = target.decodeParams ? decodePathValue(segment) : segment;
      if (value.length <= MAX_PARAM_LENGTH) {
        values.push(value);
        const found = this.#search(node.param, target, end, values);
        if (found !== null) return found;
        values.pop();
      }
    }
    if (node.greedy !== undefined) {
      const rest = path.slice(pos + 1);
      values.push(target.decodeParams ? decodePathValue(rest) : rest);
      return node.greedy;
    }
    return null;
  }
}
