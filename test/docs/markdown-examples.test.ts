import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { commandsOf, missingFragment, readExamples } from "./markdown-examples.js";

const dir = mkdtempSync(join(tmpdir(), "crossgate-md-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function parse(markdown: string) {
  const file = join(dir, "doc.md");
  writeFileSync(file, markdown);
  return readExamples(file);
}

describe("the examples' markers", () => {
  it("reads the setup, prelude, exit code and expected fragments of a runnable block", () => {
    const { shell } = parse(
      "text\n\n<!-- example: demo prelude\nexit: 2\nexpect: HTTP/1.1 200\nexpect: b\n-->\n\n```sh\ncurl x\n```\n",
    );
    expect(shell).toHaveLength(1);
    expect(shell[0]?.line).toBe(9);
    expect(shell[0]?.code).toBe("curl x");
    expect(shell[0]?.marker).toEqual({
      kind: "run",
      setup: "demo",
      prelude: true,
      exit: 2,
      expect: ["HTTP/1.1 200", "b"],
    });
  });

  it("reads a reason not to run, over several lines", () => {
    const { shell } = parse("<!-- not runnable: needs\nthe moon -->\n```sh\nx\n```\n");
    expect(shell[0]?.marker).toEqual({ kind: "skip", reason: "needs\nthe moon" });
  });

  it("refuses a block with no marker, an unknown setup or an unknown line", () => {
    const { shell } = parse(
      "```sh\na\n```\n\n<!-- example: staging -->\n```sh\nb\n```\n\n<!-- example: none\nwant: x\n-->\n```sh\nc\n```\n",
    );
    expect(shell.map((e) => e.marker.kind)).toEqual(["unmarked", "unmarked", "unmarked"]);
  });

  it("names a file block and ignores other languages without a marker", () => {
    const { shell, files } = parse("<!-- example-file: api.yaml -->\n```yaml\na: 1\n```\n```json\n{}\n```\n");
    expect(shell).toEqual([]);
    expect(files).toEqual([{ file: join(dir, "doc.md"), name: "api.yaml", content: "a: 1\n" }]);
  });

  it("keeps only the commands of a transcript, with their continuation lines", () => {
    expect(commandsOf("$ curl -i a \\\n    -H x\nHTTP/1.1 401\n\n{}\n$ echo b\nb")).toBe(
      "curl -i a \\\n    -H x\necho b",
    );
    expect(commandsOf("curl a\n# note")).toBe("curl a\n# note");
  });

  it("finds fragments in order, ignoring case", () => {
    expect(
      missingFragment("HTTP/1.1 200 OK\nAccess-Control-Allow-Origin: *", [
        "http/1.1 200",
        "access-control-allow-origin: *",
      ]),
    ).toBeUndefined();
    expect(missingFragment("b a", ["a", "b"])).toBe("b");
  });
});
