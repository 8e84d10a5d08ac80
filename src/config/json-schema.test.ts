import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { configJsonSchemaText } from "./json-schema.js";

describe("the published JSON Schema", () => {
  it("matches the TypeBox model it is generated from (run `npm run schema` after changing src/config/schema.ts)", () => {
    const committed = readFileSync(new URL("../../schema/config.schema.json", import.meta.url), "utf8");
    expect(committed).toBe(configJsonSchemaText());
  });
});
