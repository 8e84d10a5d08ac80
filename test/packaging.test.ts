/**
 * What a fresh clone needs from its package files: `npm ci` accepts package-lock.json (it must hold every
 * platform's optional packages, or npm refuses it), and no runtime dependency demands a newer Node.js than
 * package.json's `engines` promises (npm warns EBADENGINE, and the package may use APIs Node 20 lacks).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import semver from "semver";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");

interface Manifest {
  name: string;
  version: string;
  engines?: { node?: string };
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

interface LockEntry {
  version?: string;
  dev?: boolean;
  optional?: boolean;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, "utf8")) as T;
}

const manifest = readJson<Manifest>(join(root, "package.json"));
const lock = readJson<{ packages: Record<string, LockEntry> }>(join(root, "package-lock.json"));

/** Lockfile paths (`node_modules/a/node_modules/b`) of every installed package that is not dev-only. */
function installedProductionPackages(): string[] {
  return Object.entries(lock.packages)
    .filter(([path, entry]) => path !== "" && entry.dev !== true)
    .map(([path]) => path)
    .filter((path) => existsSync(join(root, path, "package.json")));
}

describe("package files on a fresh clone", () => {
  const lowestNode = semver.minVersion(manifest.engines?.node ?? "");

  it("declares Node.js 20 as the oldest version it supports", () => {
    expect(lowestNode?.major).toBe(20);
  });

  it("installs only production dependencies whose engines.node admits the lowest supported Node.js", () => {
    const packages = installedProductionPackages();
    expect(packages.length).toBeGreaterThan(50);
    const refusing = packages.flatMap((path) => {
      const installed = readJson<Manifest>(join(root, path, "package.json"));
      const range = installed.engines?.node;
      if (range === undefined || range === "*" || range === "") return [];
      const admits =
        semver.validRange(range) !== null && semver.satisfies(lowestNode ?? "20.0.0", range) === true;
      return admits ? [] : [`${installed.name}@${installed.version} (${path}) needs node ${range}`];
    });
    expect(refusing, "runtime dependencies that refuse Node 20: pin an older version in overrides").toEqual(
      [],
    );
  });

  it("locks every optional platform package of @biomejs/biome, so npm ci accepts the lockfile", () => {
    const biome = readJson<Manifest>(join(root, "node_modules/@biomejs/biome/package.json"));
    const platforms = Object.entries(biome.optionalDependencies ?? {});
    expect(platforms.length).toBeGreaterThan(4);
    const missing = platforms
      .filter(([name, version]) => lock.packages[`node_modules/${name}`]?.version !== version)
      .map(([name, version]) => `${name}@${version}`);
    expect(missing, "run `npm install` to add them to package-lock.json").toEqual([]);
  });

  it("locks the same direct dependencies package.json declares", () => {
    const locked = lock.packages[""];
    expect(locked?.dependencies).toEqual(manifest.dependencies);
    expect(locked?.devDependencies).toEqual(manifest.devDependencies);
  });
});
