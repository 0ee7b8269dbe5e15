/**
 * Informational second floor for POST: the bare worker plus reading and parsing the JSON body
 * (`request.json()`), nothing else. Any contender that uses the body pays at least this; the
 * bare worker itself never reads it. On GET there is no body and it is the bare worker.
 */
const BODY = JSON.stringify({ id: 42, limit: 10, tags: ["red", "blue"], owner: "bench-user" });

export default {
  async fetch(request: Request): Promise<Response> {
    if (request.body !== null) await request.json();
    return new Response(BODY, { headers: { "content-type": "application/json" } });
  },
} satisfies ExportedHandler;
