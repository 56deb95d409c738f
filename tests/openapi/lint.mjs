// Validates OpenAPI documents (paths given as arguments) with independent
// tools: the document against the official OpenAPI 3.0 / 3.1 schema, and,
// for 3.1, every component schema compiled by Ajv (JSON Schema 2020-12),
// which fails on a $ref it cannot resolve. Exits 1 on any problem.
import { readFileSync } from "node:fs";
import { Validator } from "@seriousme/openapi-schema-validator";
import Ajv2020 from "ajv/dist/2020.js";

let failed = 0;
for (const file of process.argv.slice(2)) {
  const document = JSON.parse(readFileSync(file, "utf8"));
  const validator = new Validator();
  const result = await validator.validate(structuredClone(document));
  if (!result.valid) {
    failed++;
    console.error(`openapi-lint: ${file} (OpenAPI ${document.openapi}) is not valid:`);
    console.error(JSON.stringify(result.errors, null, 2).slice(0, 4000));
    continue;
  }
  let schemas = 0;
  if (document.openapi.startsWith("3.1") && document.components?.schemas) {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    ajv.addSchema(document, "urn:lienthong:openapi-lint:document");
    for (const name of Object.keys(document.components.schemas)) {
      try {
        ajv.compile({ $ref: `urn:lienthong:openapi-lint:document#/components/schemas/${name}` });
        schemas++;
      } catch (error) {
        failed++;
        console.error(`openapi-lint: ${file}: components/schemas/${name}: ${error.message}`);
      }
    }
  }
  console.log(`openapi-lint: ${file}: valid OpenAPI ${document.openapi}` +
              (schemas ? `, ${schemas} component schemas compile` : ""));
}
process.exit(failed ? 1 : 0);
