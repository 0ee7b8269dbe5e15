/**
 * Checking inbound WebSocket messages against the schema an operation declares. The schema
 * arrives at run time (in the session grant), so it is interpreted by @cfworker/json-schema —
 * no eval, which Workers forbid. Kept in its own module so that only the room pulls the library
 * into a bundle, not the router's dispatch.
 */
import { Validator as SchemaValidator, type OutputUnit } from "@cfworker/json-schema";
import type { JsonSchema } from "../runtime/compiled-spec.ts";
import type { ProblemError } from "../runtime/problem.ts";

/** `(value) => violations | undefined`: message/event validation with problem-shaped errors. */
export type MessageCheck = (value: unknown) => readonly ProblemError[] | undefined;

function toPointer(instanceLocation: string): string {
  return instanceLocation.startsWith("#") ? instanceLocation.slice(1) : instanceLocation;
}

/**
 * Compile a schema once per schema per Durable Object instance (cost measured in bench/realtime/:
 * ~15 µs to compile, ~3-5 µs per message for a small object schema).
 */
export function compileMessageCheck(schema: JsonSchema | undefined, maxErrors = 10): MessageCheck {
  if (schema === undefined || schema === true) return () => undefined;
  const validator = new SchemaValidator(schema as object, "2020-12", false);
  return (value) => {
    const result = validator.validate(value);
    if (result.valid) return undefined;
    // cfworker reports the wrapping keyword ("properties") beside the one that failed; keep the
    // deepest unit per instance location so the message names the actual violation.
    const deepest = new Map<string, OutputUnit>();
    for (const unit of result.errors) {
      const seen = deepest.get(unit.instanceLocation);
      if (seen === undefined || unit.keywordLocation.length > seen.keywordLocation.length) deepest.set(unit.instanceLocation, unit);
    }
    const leaves = [...deepest.values()].filter(
      (unit) => ![...deepest.keys()].some((other) => other !== unit.instanceLocation && other.startsWith(unit.instanceLocation + "/")),
    );
    return leaves.slice(0, maxErrors).map((unit) => ({ in: "body" as const, pointer: toPointer(unit.instanceLocation), message: unit.error }));
  };
}
