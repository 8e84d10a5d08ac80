import type { Segment } from "../config/route-path.js";

/**
 * The path half of routing: a tree of whole segments for one method. It answers exactly what
 * find-my-way answered with the options crossgate used (ignoreTrailingSlash, ignoreDuplicateSlashes,
 * maxParamLength 500; test/gateway/path-tree.test.ts compares the two on generated tables), at a
 * fraction of the memory: find-my-way compiled a JavaScript function for every route and static
 * node, 25 MB for 10,000 APIs against about 3 MB here (docs/benchmarks.md, optimization 15).
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

/** A request path made ready for matching: decoded as find-my-way decodes it, or null if malformed. */
export interface SanitizedPath {
  /** The request path as received (no query string): what prefix remainders are cut from. */
  readonly raw: string;
  readonly path: string;
  /** Some parameter may hold a percent-encoded reserved character still to be decoded. */
  readonly decodeParams: boolean;
}

/**
 * Characters decodeURI leaves encoded (they are reserved): a `%XX` of one of them stays as it is in
 * the path, so that `%2F` never becomes a separator, and is decoded only inside a parameter value.
 */
const RESERVED = new Map<string, string>([
  ["23", "#"],
  ["24", "$"],
  ["25", "%"],
  ["26", "&"],
  ["2B", "+"],
  ["2C", ","],
  ["2F", "/"],
  ["3A", ":"],
  ["3B", ";"],
  ["3D", "="],
  ["3F", "?"],
  ["40", "@"],
]);

function reservedAt(s: string, i: number): string | undefined {
  return RESERVED.get(s.slice(i + 1, i + 3).toUpperCase());
}

/**
 * Decodes a path (without its query string), then removes duplicate slashes and one trailing slash.
 * `%25` is kept as `%25` and other reserved characters stay encoded; everything else is decoded.
 */
export function sanitizePath(target: string): SanitizedPath | null {
  // A fragment never reaches a server from a browser; a raw client may send one: it is not path.
  const hash = target.indexOf("#");
  const raw = hash < 0 ? target : target.slice(0, hash);
  let path = raw;
  let decodeParams = false;
  const firstPercent = raw.indexOf("%");
  if (firstPercent >= 0) {
    let decode = false;
    let rebuilt = "";
    let last = 0;
    for (let i = firstPercent; i < raw.length; i++) {
      if (raw.charCodeAt(i) !== 37) continue;
      const reserved = reservedAt(raw, i);
      if (reserved === undefined) {
        decode = true;
        continue;
      }
      decodeParams = true;
      if (reserved === "%") {
        // decodeURI would turn %25 into a bare %: encode it once more so that it survives as %25.
        decode = true;
        rebuilt += `${raw.slice(last, i)}%2525`;
        last = i + 3;
      }
      i += 2;
    }
    if (last > 0) path = rebuilt + raw.slice(last);
    if (decode) {
      try {
        path = decodeURI(path);
      } catch {
        return null;
      }
    }
  }
  if (path.includes("//")) path = path.replace(/\/+/g, "/");
  if (path.length > 1 && path.charCodeAt(path.length - 1) === 47) path = path.slice(0, -1);
  return { raw: target, path, decodeParams };
}

/** find-my-way's parameter decoding: only the reserved `%XX` left encoded in the path are decoded. */
function decodeParam(value: string): string {
  const first = value.indexOf("%");
  if (first < 0) return value;
  let out = value.slice(0, first);
  let last = first;
  for (let i = first; i < value.length; i++) {
    if (value.charCodeAt(i) !== 37) continue;
    // Every `%` left in a sanitized path starts a reserved escape (sanitizePath decoded the rest).
    out += `${value.slice(last, i)}${reservedAt(value, i) ?? value.slice(i, i + 3)}`;
    last = i + 3;
  }
  return out + value.slice(last);
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
      const value = target.decodeParams ? decodeParam(segment) : segment;
      if (value.length <= MAX_PARAM_LENGTH) {
        values.push(value);
        const found = this.#search(node.param, target, end, values);
        if (found !== null) return found;
        values.pop();
      }
    }
    if (node.greedy !== undefined) {
      const rest = path.slice(pos + 1);
      values.push(target.decodeParams ? decodeParam(rest) : rest);
      return node.greedy;
    }
    return null;
  }
}
