/**
 * What a self-hosted pet store must do, as named checks over HTTP: used by the arm64 run
 * (scripts/pi-arm64-test.ts) and the native end-to-end test (test/e2e/pi-persistence.test.ts).
 *
 * To cover a new endpoint, add one entry to `servingChecks` (or `afterRestartChecks` for data
 * that must survive a restart); `webSocketEchoCheck(path, message)` covers another WebSocket.
 */
import assert from "node:assert/strict";
import WebSocket from "ws";

export interface CheckContext {
  readonly baseUrl: string;
  /** Values one check leaves for a later one (the id of a created pet, say). */
  readonly state: Map<string, unknown>;
}

export interface Check {
  readonly name: string;
  run(context: CheckContext): Promise<void>;
}

export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly milliseconds: number;
  readonly error?: string;
}

export const API_KEY = "demo-key-1";
const TIMEOUT_MS = 30_000;

async function request(context: CheckContext, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${context.baseUrl}${path}`, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
}

async function expectProblem(response: Response, status: number): Promise<void> {
  const body = await response.text();
  assert.equal(response.status, status, `expected ${status}, got ${response.status}: ${body.slice(0, 300)}`);
  assert.match(response.headers.get("content-type") ?? "", /^application\/problem\+json/);
  const problem = JSON.parse(body) as { status?: number; title?: string };
  assert.equal(problem.status, status);
  assert.equal(typeof problem.title, "string");
}

async function json<T>(response: Response, status: number): Promise<T> {
  const body = await response.text();
  assert.equal(response.status, status, `expected ${status}, got ${response.status}: ${body.slice(0, 300)}`);
  return JSON.parse(body) as T;
}

/**
 * Opens a WebSocket at `path`, sends `message`, resolves when the same text comes back (other
 * frames, such as a room's join notices, are skipped).
 */
export async function webSocketEcho(baseUrl: string, path: string, message: string): Promise<string> {
  const socket = new WebSocket(`${baseUrl.replace(/^http/, "ws")}${path}`);
  try {
    return await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no WebSocket echo from ${path} in ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
      socket.once("open", () => socket.send(message));
      socket.on("message", (data) => {
        const text = data.toString();
        if (text !== message) return;
        clearTimeout(timer);
        resolve(text);
      });
      socket.once("unexpected-response", (_request, response) => {
        clearTimeout(timer);
        reject(new Error(`${path} answered ${response.statusCode} instead of upgrading`));
      });
      socket.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  } finally {
    await closeWebSocket(socket);
  }
}

/**
 * Closes with the handshake, then drops the connection if the server never answers: an open
 * WebSocket keeps workerd's SIGTERM drain waiting, so a check must not leave one behind.
 */
async function closeWebSocket(socket: WebSocket, graceMs = 2000): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) return;
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  socket.close(1000, "done");
  const timer = setTimeout(() => socket.terminate(), graceMs);
  await closed;
  clearTimeout(timer);
}

export const servingChecks: Check[] = [
  {
    name: "GET /openapi.json serves the document",
    async run(context) {
      const document = await json<{ openapi?: string }>(await request(context, "/openapi.json"), 200);
      assert.match(document.openapi ?? "", /^3\./);
    },
  },
  {
    name: "GET /pets?limit=5 (validated query) answers a list",
    async run(context) {
      const pets = await json<unknown>(await request(context, "/pets?limit=5"), 200);
      assert.ok(Array.isArray(pets), "body is a JSON array");
    },
  },
  {
    name: "GET /pets?limit=abc is refused: 400 problem+json",
    async run(context) {
      await expectProblem(await request(context, "/pets?limit=abc"), 400);
    },
  },
  {
    name: "POST /pets without an API key is refused: 401 problem+json",
    async run(context) {
      const response = await request(context, "/pets", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "Rex", species: "dog" }),
      });
      await expectProblem(response, 401);
    },
  },
  {
    name: "POST /pets with an API key stores a pet in the Durable Object: 201",
    async run(context) {
      const name = `Rex-${Date.now()}`;
      const response = await request(context, "/pets", {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": API_KEY },
        body: JSON.stringify({ name, species: "dog" }),
      });
      const pet = await json<{ id?: unknown; name?: string }>(response, 201);
      assert.equal(pet.name, name);
      assert.ok(pet.id !== undefined, "the created pet has an id");
      context.state.set("pet", { id: pet.id, name });
    },
  },
  {
    name: "GET /pets/{id} reads the stored pet back",
    async run(context) {
      await readStoredPet(context);
    },
  },
  {
    name: "GET /pets/events (SSE, SseChannel Durable Object) delivers pet.created for a new pet",
    async run(context) {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
      try {
        const response = await fetch(`${context.baseUrl}/pets/events`, { headers: { accept: "text/event-stream" }, signal: controller.signal });
        assert.equal(response.status, 200);
        assert.match(response.headers.get("content-type") ?? "", /^text\/event-stream/);
        const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
        let received = "";
        const readUntil = async (done: (text: string) => boolean): Promise<void> => {
          while (!done(received)) {
            const chunk = await reader.read();
            if (chunk.done) throw new Error(`the event stream ended; it carried:\n${received}`);
            received += chunk.value;
          }
        };
        // The channel writes its first frame (retry:) once the stream is subscribed: only then publish.
        await readUntil((text) => text.includes("\n\n"));
        const name = `Sse-${Date.now()}`;
        const created = await request(context, "/pets", {
          method: "POST",
          headers: { "content-type": "application/json", "x-api-key": API_KEY },
          body: JSON.stringify({ name, species: "cat" }),
        });
        await json(created, 201);
        await readUntil((text) => text.includes("event: pet.created") && text.includes(JSON.stringify(name)));
      } finally {
        clearTimeout(timer);
        controller.abort();
      }
    },
  },
  webSocketEchoCheck("/chat/pi-check", JSON.stringify({ text: "hello from the pi check" }), "WebSocketRoom Durable Object"),
];

async function readStoredPet(context: CheckContext): Promise<void> {
  const stored = context.state.get("pet") as { id: unknown; name: string } | undefined;
  assert.ok(stored !== undefined, "an earlier check created a pet");
  const pet = await json<{ id?: unknown; name?: string }>(await request(context, `/pets/${String(stored.id)}`), 200);
  assert.equal(pet.name, stored.name);
}

export const afterRestartChecks: Check[] = [
  { name: "after a SIGTERM restart, GET /pets/{id} still finds the pet (storage on disk)", run: readStoredPet },
];

/** A WebSocket endpoint that sends a message back to its sender (an echo, or a room that broadcasts to everyone). */
export function webSocketEchoCheck(path: string, message = `ping-${Date.now()}`, what = "echo"): Check {
  return {
    name: `WebSocket ${path} sends a message back to its sender (${what})`,
    async run(context) {
      assert.equal(await webSocketEcho(context.baseUrl, path, message), message);
    },
  };
}

/** Runs checks in order; a failure is recorded and the rest still run. */
export async function runChecks(
  checks: readonly Check[],
  context: CheckContext,
  report: (result: CheckResult) => void = () => undefined,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of checks) {
    const started = performance.now();
    let result: CheckResult;
    try {
      await check.run(context);
      result = { name: check.name, ok: true, milliseconds: performance.now() - started };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      result = { name: check.name, ok: false, milliseconds: performance.now() - started, error: message };
    }
    results.push(result);
    report(result);
  }
  return results;
}
