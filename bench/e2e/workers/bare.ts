/**
 * The floor: a worker that answers every request with the same fixed JSON, reading nothing.
 * Whatever a contender costs beyond this is routing, parsing, validation, auth and its own glue.
 */
const BODY = JSON.stringify({ id: 42, limit: 10, tags: ["red", "blue"], owner: "bench-user" });

export default {
  fetch(): Response {
    return new Response(BODY, { headers: { "content-type": "application/json" } });
  },
} satisfies ExportedHandler;
