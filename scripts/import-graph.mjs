#!/usr/bin/env node
// The folder import graph of src/: which top-level folder imports which, and any cycle between folders.
// `node scripts/import-graph.mjs` prints the edges and cycles; exit 1 when there is a cycle.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "src");

function files(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...files(path));
    else if (name.endsWith(".ts") && !name.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

/** `src/cors/x.ts` is folder `cors`; a file at the top (`src/errors.ts`) is its own node (`errors`). */
function folderOf(file) {
  const parts = relative(root, file).split(sep);
  return parts.length === 1 ? parts[0].replace(/\.ts$/, "") : parts[0];
}

export function importGraph() {
  const edges = new Map();
  for (const file of files(root)) {
    const from = folderOf(file);
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)) {
      const target = resolve(dirname(file), m[1]).replace(/\.js$/, ".ts");
      if (!target.startsWith(root)) continue;
      const to = folderOf(target);
      if (to === from) continue;
      if (!edges.has(from)) edges.set(from, new Set());
      edges.get(from).add(to);
    }
  }
  return edges;
}

export function cycles(edges) {
  const found = [];
  const nodes = [...edges.keys()];
  const visit = (start, node, path) => {
    for (const next of edges.get(node) ?? []) {
      if (next === start) found.push([...path, next]);
      else if (!path.includes(next) && next > start) visit(start, next, [...path, next]);
    }
  };
  for (const n of nodes.sort()) visit(n, n, [n]);
  return found;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const edges = importGraph();
  for (const [from, tos] of [...edges].sort()) console.log(`${from} -> ${[...tos].sort().join(", ")}`);
  const found = cycles(edges);
  for (const c of found) console.log(`cycle: ${c.join(" -> ")}`);
  console.log(found.length === 0 ? "no cycle between folders" : `${found.length} cycles`);
  process.exitCode = found.length === 0 ? 0 : 1;
}
