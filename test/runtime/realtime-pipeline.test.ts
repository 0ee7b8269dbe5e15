/**
 * The realtime operations of the example spec through the whole pipeline (match → authorise →
 * parse/validate → dispatchRealtime), with response validation strict as in every runtime test.
 */
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sseReader, wrapSocket } from "./realtime-helpers.ts";

const BASE = "https://petstore.test";

describe("x-websocket through the pipeline", () => {
  it("upgrades GET /chat/{roomId}, validates messages, broadcasts them", async () => {
    const response = await exports.default.fetch(`${BASE}/chat/lobby`, { headers: { upgrade: "websocket" } });
    expect(response.status).toBe(101);
    expect(response.headers.get("x-request-id")).not.toBeNull();
    const socket = wrapSocket(response.webSocket!);
    response.webSocket!.accept();
    socket.ws.send(JSON.stringify({ text: "" }));
    expect(await socket.next()).toMatchObject({ type: "error", status: 400, pointer: "/text" });
    socket.ws.send(JSON.stringify({ text: "hello" }));
    expect(await socket.next()).toEqual({ text: "hello" });
    socket.ws.close(1000);
  });

  it("answers a plain GET with 426 and a room id failing its schema with 400, before any upgrade", async () => {
    const plain = await exports.default.fetch(`${BASE}/chat/lobby`);
    expect(plain.status).toBe(426);
    expect(plain.headers.get("upgrade")).toBe("websocket");
    const bad = await exports.default.fetch(`${BASE}/chat/Not_Valid!`, { headers: { upgrade: "websocket" } });
    expect(bad.status).toBe(400);
    expect(bad.webSocket).toBeNull();
    expect(await bad.json()).toMatchObject({ errors: [{ in: "path", name: "roomId" }] });
  });
});

describe("x-sse through the pipeline", () => {
  it("streams pet.created from createPet to GET /pets/events", async () => {
    const response = await exports.default.fetch(`${BASE}/pets/events`, { headers: { accept: "text/event-stream" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const reader = sseReader(response);
    await reader.next(); // retry:
    const created = await exports.default.fetch(`${BASE}/pets`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": "demo-key-1" },
      body: JSON.stringify({ name: "Rex", species: "dog" }),
    });
    await created.arrayBuffer();
    const event = await reader.nextEvent();
    expect(event.event).toBe("pet.created");
    expect(JSON.parse(event.data!)).toMatchObject({ name: "Rex", species: "dog" });
    await reader.cancel();
  });
});
