/**
 * checkRealtimeExtensions (diagnostics at file:line:col) and embedRealtimeSchemas (message/event
 * schemas made self-contained for the Durable Object), on hand-made drafts and through the real
 * spec front end.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkRealtimeExtensions, embedRealtimeSchemas, embedSchema } from "../../src/build/check-realtime.ts";
import { formatDiagnostic } from "../../src/build/diagnostics.ts";
import { readSpec } from "../../src/build/frontend.ts";
import type { OperationDraft, ParameterDraft } from "../../src/build/operation-draft.ts";
import { compileMessageCheck } from "../../src/durable/realtime-message-check.ts";
import { parseRealtimeExtension, renderNameTemplate } from "../../src/durable/realtime-extensions.ts";
import type { HttpMethod, JsonValue } from "../../src/runtime/compiled-spec.ts";

const at = (line: number) => ({ file: "spec.yaml", line, column: 5 });

function param(name: string, where: ParameterDraft["in"], line: number): ParameterDraft {
  return { name, in: where, required: true, style: "simple", explode: false, allowEmptyValue: false, allowReserved: false, schema: { type: "string" }, source: at(line) };
}

function draft(extensions: Record<string, JsonValue>, options: { method?: HttpMethod; parameters?: ParameterDraft[] } = {}): OperationDraft {
  return {
    operationId: "op",
    method: options.method ?? "GET",
    path: "/chat/{roomId}",
    tags: [],
    deprecated: false,
    parameters: options.parameters ?? [param("roomId", "path", 7)],
    responses: {},
    security: [],
    extensions,
    source: at(5),
    pathSource: at(4),
  };
}

function messages(op: OperationDraft): string[] {
  return checkRealtimeExtensions([op]).map(formatDiagnostic);
}

describe("checkRealtimeExtensions", () => {
  it("accepts well-formed extensions and ignores operations without one", () => {
    expect(messages(draft({}))).toEqual([]);
    expect(messages(draft({ "x-websocket": { room: "chat:{roomId}", message: { type: "object" }, maxMessageBytes: 1024, maxSessions: 10, slowConsumer: { maxUnackedBytes: 65536, action: "drop" } } }))).toEqual([]);
    expect(messages(draft({ "x-sse": { channel: "pets", event: true, retainEvents: 10, heartbeatSeconds: 5, maxStreams: 2, maxQueuedBytes: 4096, retryMs: 0 } }))).toEqual([]);
  });

  it("refuses a realtime extension on a method other than GET, at the operation", () => {
    expect(messages(draft({ "x-websocket": { room: "{roomId}" } }, { method: "POST" }))).toEqual([
      "spec.yaml:5:5: x-websocket on POST /chat/{roomId} (op): realtime sessions are opened with GET, not POST",
    ]);
  });

  it("refuses both extensions on one operation", () => {
    expect(messages(draft({ "x-websocket": { room: "a" }, "x-sse": { channel: "b" } }))).toEqual([
      "spec.yaml:5:5: x-websocket on GET /chat/{roomId} (op): an operation cannot declare both x-websocket and x-sse",
    ]);
  });

  it("refuses bad shapes, one diagnostic per problem", () => {
    expect(messages(draft({ "x-websocket": "chat" }))).toEqual([
      "spec.yaml:5:5: x-websocket on GET /chat/{roomId} (op): must be an object with at least `room`",
    ]);
    const many = messages(
      draft({ "x-websocket": { room: 3, message: "text", maxSessions: 0, colour: "red", slowConsumer: { action: "shout" } } }),
    );
    expect(many).toEqual([
      "spec.yaml:5:5: x-websocket.colour on GET /chat/{roomId} (op): unknown property (allowed: room, message, maxMessageBytes, maxSessions, slowConsumer)",
      'spec.yaml:5:5: x-websocket.room on GET /chat/{roomId} (op): is required and must be a string template such as "{roomId}"',
      "spec.yaml:5:5: x-websocket.message on GET /chat/{roomId} (op): must be a JSON Schema (an object or a boolean)",
      "spec.yaml:5:5: x-websocket.maxSessions on GET /chat/{roomId} (op): must be an integer from 1 to 32768",
      "spec.yaml:5:5: x-websocket.slowConsumer.maxUnackedBytes on GET /chat/{roomId} (op): is required",
      'spec.yaml:5:5: x-websocket.slowConsumer.action on GET /chat/{roomId} (op): must be "close" or "drop"',
    ]);
    expect(messages(draft({ "x-sse": { channel: "a{b", retainEvents: 1.5 } }))).toEqual([
      'spec.yaml:5:5: x-sse.channel on GET /chat/{roomId} (op): is not a valid template: unclosed "{" at offset 1',
      "spec.yaml:5:5: x-sse.retainEvents on GET /chat/{roomId} (op): must be an integer from 1 to 100000",
    ]);
  });

  it("refuses a template naming a parameter the operation does not declare, or one outside the path", () => {
    expect(messages(draft({ "x-websocket": { room: "chat:{room}" } }))).toEqual([
      'spec.yaml:5:5: x-websocket.room on GET /chat/{roomId} (op) names parameter "room", which the operation does not declare',
    ]);
    const withQuery = draft({ "x-sse": { channel: "{topic}" } }, { parameters: [param("roomId", "path", 7), param("topic", "query", 9)] });
    expect(messages(withQuery)).toEqual([
      'spec.yaml:9:5: x-sse.channel on GET /chat/{roomId} (op) names query parameter "topic": only path parameters can name a channel (they are always present)',
    ]);
  });

  it("warns about a message schema big enough to weigh on every connect", () => {
    const big = { type: "object", description: "d".repeat(20_000) };
    const [warning] = checkRealtimeExtensions([draft({ "x-websocket": { room: "{roomId}", message: big } })]);
    expect(warning?.severity).toBe("warning");
  });
});

describe("templates", () => {
  it("renders coerced parameter values", () => {
    const parsed = parseRealtimeExtension({ "x-websocket": { room: "chat:{roomId}/{n}" } });
    expect(parsed?.ok).toBe(true);
    if (parsed?.ok !== true) return;
    expect(renderNameTemplate(parsed.value.template, { roomId: "lobby", n: 3 })).toBe("chat:lobby/3");
  });
});

describe("embedRealtimeSchemas", () => {
  const document = {
    components: {
      schemas: {
        ChatMessage: { type: "object", required: ["text"], properties: { text: { $ref: "#/components/schemas/Text" }, reply: { $ref: "#/components/schemas/ChatMessage" } } },
        Text: { type: "string", maxLength: 5 },
        "a/b": { const: 1 },
      },
    },
  };

  it("copies every reached #/ reference under $defs, recursion included, and leaves other operations alone", () => {
    const op = draft({ "x-websocket": { room: "{roomId}", message: { $ref: "#/components/schemas/ChatMessage" } } });
    const embedded = embedRealtimeSchemas(document, op);
    const message = (embedded.extensions["x-websocket"] as { message: Record<string, unknown> }).message;
    expect(message.$ref).toBe("#/$defs/components.schemas.ChatMessage");
    expect(Object.keys(message.$defs as object).sort()).toEqual(["components.schemas.ChatMessage", "components.schemas.Text"]);
    const check = compileMessageCheck(message);
    expect(check({ text: "hi", reply: { text: "ok" } })).toBeUndefined();
    expect(check({ text: "toolong", reply: { text: "ok" } })).toEqual([expect.objectContaining({ in: "body", pointer: "/text" })]);
    expect(check({ text: "hi", reply: { text: 1 } })).toEqual([expect.objectContaining({ pointer: "/reply/text" })]);
    const plain = draft({});
    expect(embedRealtimeSchemas(document, plain)).toBe(plain);
  });

  it("escapes keys that are not pointer-safe", () => {
    const schema = embedSchema(document, { $ref: "#/components/schemas/a~1b" }) as Record<string, unknown>;
    expect(compileMessageCheck(schema)(1)).toBeUndefined();
    expect(compileMessageCheck(schema)(2)).toBeDefined();
  });
});

describe("through the spec front end", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "brrt-realtime-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("points at the operation in the file and embeds component schemas", async () => {
    const file = path.join(dir, "spec.yaml");
    writeFileSync(
      file,
      [
        "openapi: 3.1.0",
        "info: { title: t, version: '1' }",
        "paths:",
        "  /chat/{roomId}:",
        "    get:",
        "      operationId: chatRoom",
        "      parameters:",
        "        - { name: roomId, in: path, required: true, schema: { type: string } }",
        "      x-websocket:",
        '        room: "chat:{roomId}"',
        "        message: { $ref: '#/components/schemas/ChatMessage' }",
        "      responses: { '101': { description: switching } }",
        "    post:",
        "      operationId: chatPost",
        "      parameters:",
        "        - { name: roomId, in: path, required: true, schema: { type: string } }",
        "      x-sse: { channel: '{nope}' }",
        "      responses: { '200': { description: ok } }",
        "components:",
        "  schemas:",
        "    ChatMessage: { type: object, required: [text], properties: { text: { type: string } } }",
        "",
      ].join("\n"),
    );
    const front = await readSpec(file);
    const diagnostics = checkRealtimeExtensions(front.operations).map(formatDiagnostic);
    const shown = path.relative(process.cwd(), file);
    expect(diagnostics).toEqual([
      `${shown}:13:5: x-sse on POST /chat/{roomId} (chatPost): realtime sessions are opened with GET, not POST`,
      `${shown}:13:5: x-sse.channel on POST /chat/{roomId} (chatPost) names parameter "nope", which the operation does not declare`,
    ]);
    const chat = embedRealtimeSchemas(front.document, front.operations.find((op) => op.operationId === "chatRoom")!);
    const message = (chat.extensions["x-websocket"] as { message: Record<string, unknown> }).message;
    expect(compileMessageCheck(message)({ text: "x" })).toBeUndefined();
    expect(compileMessageCheck(message)({})).toBeDefined();
  });
});
