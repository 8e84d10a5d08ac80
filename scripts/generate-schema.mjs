// Regenerates schema/config.schema.json from the TypeBox model (run `npm run build` first).
// test/config/json-schema.test.ts fails when the committed file drifts from the source.
import { writeFileSync } from "node:fs";
import { configJsonSchemaText } from "../dist/config/json-schema.js";

const target = new URL("../schema/config.schema.json", import.meta.url);
writeFileSync(target, configJsonSchemaText());
console.log(`wrote ${target.pathname}`);
