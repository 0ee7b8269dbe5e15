/**
 * Checks a schema against the JSON Schema 2020-12 meta-schema. A 3.1 document's Schema Objects
 * are not checked by the OpenAPI check, and cfworker (which the runtime uses for response
 * validation and WebSocket messages) trusts keywords to have their types: with `enum: true` it
 * throws `$enum.some is not a function` on every value it checks.
 */
import { Ajv2020 } from "ajv/dist/2020.js";

let metaSchemaChecker: Ajv2020 | undefined;

/**
 * Why `schema` is not JSON Schema 2020-12 (`enum: true`, `required: "name"`), or undefined.
 * Subschemas are checked in place; `$ref`s are not followed. The meta-schema is compiled on
 * first use (~100 ms), once per process.
 */
export function notJsonSchema(schema: unknown): string | undefined {
  metaSchemaChecker ??= new Ajv2020({ strict: false, validateFormats: false, logger: false });
  if (metaSchemaChecker.validateSchema(schema as object) === true) return undefined;
  return `not a valid JSON Schema: ${metaSchemaChecker.errorsText(metaSchemaChecker.errors, { dataVar: "schema" })}`;
}
