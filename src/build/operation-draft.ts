/**
 * An operation as the spec front end (load → bundle → normalise → check) hands it to the
 * compilers: like the runtime's OperationMeta, but still carrying schemas. The validator
 * compiler replaces schemas with validator names and coercion shapes; the matcher compiler
 * reads method + path.
 */
import type { HttpMethod, JsonSchema, JsonValue, ParameterLocation, ParameterStyle, SecurityRequirement } from "../runtime/compiled-spec.ts";
import type { SourcePosition } from "./diagnostics.ts";

export interface ParameterDraft {
  readonly name: string;
  readonly in: ParameterLocation;
  readonly required: boolean;
  readonly style: ParameterStyle;
  readonly explode: boolean;
  readonly allowEmptyValue: boolean;
  readonly allowReserved: boolean;
  /** Normalised 2020-12 schema; may hold internal `$ref`s (`#/components/...`) into the bundled document. */
  readonly schema?: JsonSchema;
  readonly contentType?: string;
  readonly source: SourcePosition;
}

export interface MediaTypeDraft {
  readonly schema?: JsonSchema;
  readonly example?: JsonValue;
  readonly source: SourcePosition;
}

export interface OperationDraft {
  readonly operationId: string;
  readonly method: HttpMethod;
  readonly path: string;
  readonly tags: readonly string[];
  readonly summary?: string;
  readonly deprecated: boolean;
  readonly parameters: readonly ParameterDraft[];
  readonly requestBody?: { readonly required: boolean; readonly content: Readonly<Record<string, MediaTypeDraft>> };
  readonly responses: Readonly<
    Record<
      string,
      {
        readonly headers: Readonly<Record<string, { readonly required: boolean; readonly schema?: JsonSchema }>>;
        readonly content: Readonly<Record<string, MediaTypeDraft>>;
      }
    >
  >;
  readonly security: readonly SecurityRequirement[];
  readonly extensions: Readonly<Record<string, JsonValue>>;
  /** Where the operation is declared (the method key), for diagnostics. */
  readonly source: SourcePosition;
  /** Where its path key is declared. */
  readonly pathSource: SourcePosition;
}
