/**
 * Mock mode: answer an operation that has no handler with the example of its first 2xx
 * response, in the media type the client accepts.
 */
import type { OperationMeta } from "./compiled-spec.ts";
import { negotiate } from "./negotiate.ts";
import { Problem } from "./problem.ts";

function firstSuccessStatus(op: OperationMeta): string | undefined {
  const statuses = Object.keys(op.responses).filter((s) => /^2(\d\d|XX)$/i.test(s));
  statuses.sort();
  return statuses[0];
}

export function mockResponse(op: OperationMeta, request: Request): Response {
  const statusKey = firstSuccessStatus(op);
  if (statusKey === undefined) return new Response(null, { status: 204 });
  const status = /^\d+$/.test(statusKey) ? Number(statusKey) : 200;
  const content = op.responses[statusKey]?.content ?? {};
  const offers = Object.keys(content);
  if (offers.length === 0 || status === 204) return new Response(null, { status: status === 200 && offers.length === 0 ? 204 : status });
  const chosen = negotiate(request.headers.get("accept"), offers);
  if (chosen === undefined) {
    return new Problem(406, "Not Acceptable", `This operation can answer with: ${offers.join(", ")}.`, {
      extensions: { operationId: op.operationId },
    }).toResponse();
  }
  const example = content[chosen]?.example;
  const headers = { "content-type": chosen.includes("*") ? "application/json" : chosen, "x-brrt-mock": "true" };
  if (example === undefined) {
    return new Problem(501, "Not Implemented", `Operation ${op.operationId} has no handler and its ${statusKey} response has no example.`, {
      extensions: { operationId: op.operationId },
    }).toResponse();
  }
  const body = typeof example === "string" && !/json/i.test(chosen) ? example : JSON.stringify(example);
  return new Response(body, { status, headers });
}
