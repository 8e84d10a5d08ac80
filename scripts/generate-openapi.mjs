// Regenerates schema/openapi.json, the admin API's OpenAPI document, from its route schemas
// (run `npm run build` first). test/admin/openapi.test.ts fails when the committed file drifts.
import { writeFileSync } from "node:fs";
import { adminOpenApiText } from "../dist/admin/openapi.js";

const target = new URL("../schema/openapi.json", import.meta.url);
writeFileSync(target, await adminOpenApiText());
console.log(`wrote ${target.pathname}`);
