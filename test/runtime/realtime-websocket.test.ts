/**
 * WebSocket rooms inside workerd: dispatch (426, names), admission limits, validation of inbound
 * frames (error frame, socket stays open; oversize → 1009), hooks, publish from a handler, the
 * slow-consumer policy, and what the room keeps in SQLite.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { publish, type WebSocketRoom } from "../../src/durable/realtime.ts";
import { operations } from "../e2e/realtime-worker.ts";
import { connect, realtimeEnv, upgrade } from "./realtime-helpers.ts";

let roomCounter = 0;
function freshRoom(): string {
  roomCounter++;
  return `room-${roomCounter}-${crypto.randomUUID().slice(0, 8)}`;
}

function roomStub(name: string): DurableObjectStub<WebSocketRoom> {
  return realtimeEnv.ROOMS.get(realtimeEnv.ROOMS.idFromName(name));
}

describe("dispatch", () => {
  it("answers a non-upgrade request to a WebSocket operation with 426 and Upgrade: websocket", async () => {
    const response = await upgrade(operations.chat, { roomId: "a" }, {}, { upgrade: "" });
    expect(response.status).toBe(426);
    expect(response.headers.get("upgrade")).toBe("websocket");
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    const problem = (await response.json()) as { status: number; title: string; operationId: string; upgrade: string };
    expect(problem).toMatchObject({ status: 426, title: "Upgrade Required", operationId: "chatRoom", upgrade: "websocket" });
  });

  it("refuses a room name longer than 512 characters with 400", async () => {
    const response = await upgrade(operations.chat, { roomId: "x".repeat(600) });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/room name/);
  });

  it("refuses a request that did not come through dispatchRealtime", async () => {
    const response = await roomStub(freshRoom()).fetch("https://rt.test/", { headers: { upgrade: "websocket" } });
    expect(response.status).toBe(400);
  });

  it("forwards to the room named by the template and hands back a mutable 101", async () => {
    const roomId = freshRoom();
    const response = await upgrade(operations.chat, { roomId });
    expect(response.status).toBe(101);
    response.headers.set("x-request-id", "r1"); // what the pipeline does to every response
    response.webSocket!.accept();
    expect(await roomStub(`chat:${roomId}`).sessionCount()).toBe(1);
    response.webSocket!.close(1000, "done");
  });
});

describe("messages", () => {
  it("broadcasts a valid message to everyone in the room, sender included", async () => {
    const roomId = freshRoom();
    const [a, b, c] = await Promise.all([0, 1, 2].map(() => connect(operations.chat, { roomId })));
    a!.ws.send(JSON.stringify({ text: "hello" }));
    for (const socket of [a!, b!, c!]) expect(await socket.next()).toEqual({ text: "hello" });
  });

  it("answers a message that fails the schema with an error frame and keeps the socket open", async () => {
    const roomId = freshRoom();
    const socket = await connect(operations.chat, { roomId });
    socket.ws.send(JSON.stringify({ text: 42, extra: true }));
    const error = (await socket.next()) as { type: string; status: number; pointer: string; errors: { pointer: string; message: string }[] };
    expect(error.type).toBe("error");
    expect(error.status).toBe(400);
    const pointers = error.errors.map((e) => e.pointer).sort();
    expect(pointers).toContain("/text");
    expect(error.pointer).not.toBeUndefined();
    socket.ws.send(JSON.stringify({ text: "still here" }));
    expect(await socket.next()).toEqual({ text: "still here" });
  });

  it("answers text that is not JSON, and binary frames, with error frames", async () => {
    const socket = await connect(operations.chat, { roomId: freshRoom() });
    socket.ws.send("not json {");
    expect(await socket.next()).toMatchObject({ type: "error", status: 400, detail: "The message is not valid JSON." });
    socket.ws.send(new Uint8Array([1, 2, 3]));
    expect(await socket.next()).toMatchObject({ type: "error", status: 400 });
    socket.ws.send(JSON.stringify({ text: "ok" }));
    expect(await socket.next()).toEqual({ text: "ok" });
  });

  it("closes the socket with 1009 when a message is over maxMessageBytes (1024 here)", async () => {
    const roomId = freshRoom();
    const [sender, other] = await Promise.all([connect(operations.chat, { roomId }), connect(operations.chat, { roomId })]);
    sender.ws.send(JSON.stringify({ text: "é".repeat(600) })); // 600 chars, 1,200+ bytes
    expect(await sender.closed).toMatchObject({ code: 1009 });
    // The rest of the room is unaffected.
    other.ws.send(JSON.stringify({ text: "after" }));
    expect(await other.next()).toEqual({ text: "after" });
  });

  it("publish() from a handler reaches every session and reports how many", async () => {
    const roomId = freshRoom();
    const sockets = await Promise.all([0, 1, 2, 3].map(() => connect(operations.chat, { roomId })));
    expect(await publish(realtimeEnv, `chat:${roomId}`, { text: "from a handler" })).toBe(4);
    for (const socket of sockets) expect(await socket.next()).toEqual({ text: "from a handler" });
    expect(await publish(realtimeEnv, `chat:${freshRoom()}`, "nobody")).toBe(0);
  });

  it("a secured operation's session carries the caller's auth into the room", async () => {
    const roomId = freshRoom();
    const auth = { apiKey: { scheme: "apiKey", type: "apiKey" as const, principal: "tester", scopes: [] } };
    const socket = await connect(operations.secure, { roomId }, auth);
    await runInDurableObject(roomStub(`chat:${roomId}`), (_room, state) => {
      const [ws] = state.getWebSockets();
      expect(ws!.deserializeAttachment()).toMatchObject({ op: "secureRoom", auth, params: { roomId } });
      expect(state.getTags(ws!)).toContain("op:secureRoom");
    });
    socket.ws.close(1000);
  });
});

describe("hooks", () => {
  it("runs onOpen, onMessage and onClose with the session and the room", async () => {
    const roomId = freshRoom();
    const first = await connect(operations.hooked, { roomId });
    const welcome = (await first.next()) as { type: string; id: string; room: string; present: number };
    expect(welcome).toMatchObject({ type: "welcome", room: `hooked:${roomId}`, present: 1 });
    const second = await connect(operations.hooked, { roomId });
    expect(await second.next()).toMatchObject({ type: "welcome", present: 2 });

    first.ws.send(JSON.stringify({ text: "hi" }));
    const expected = { type: "echo", from: welcome.id, message: { text: "hi" } };
    expect(await first.next()).toEqual(expected);
    expect(await second.next()).toEqual(expected);

    first.ws.close(1000, "bye");
    expect(await second.next()).toEqual({ type: "left", id: welcome.id, code: 1000 });
  });

  it("refuses one session over maxSessions with a 503 problem, not a broken socket", async () => {
    const roomId = freshRoom();
    const sockets = await Promise.all([0, 1, 2].map(() => connect(operations.hooked, { roomId })));
    const refused = await upgrade(operations.hooked, { roomId });
    expect(refused.status).toBe(503);
    expect(refused.webSocket).toBeNull();
    expect(refused.headers.get("retry-after")).toBe("5");
    expect(((await refused.json()) as { title: string }).title).toBe("Service Unavailable");
    // A place frees up when someone leaves.
    sockets[0]!.ws.close(1000);
    await sockets[1]!.next(); // welcome
    for (;;) {
      const frame = (await sockets[1]!.next()) as { type: string };
      if (frame.type === "left") break;
    }
    const admitted = await upgrade(operations.hooked, { roomId });
    expect(admitted.status).toBe(101);
    admitted.webSocket!.accept();
    admitted.webSocket!.close(1000);
  });
});

describe("slow consumers", () => {
  it("closes a socket that never acknowledges with 1013 once 4 KiB are unacknowledged; a reading one keeps receiving", async () => {
    const roomId = freshRoom();
    const reader = await connect(operations.flow, { roomId });
    const stalled = await connect(operations.flow, { roomId });
    // The reader answers every sync frame, as the browser snippet does.
    reader.ws.addEventListener("message", (event) => {
      const frame = JSON.parse(event.data as string) as { type?: string; sent?: number };
      if (frame.type === "brrt.sync") reader.ws.send(JSON.stringify({ type: "brrt.ack", sent: frame.sent }));
    });
    const payload = { text: "x".repeat(200) };
    let sawClose = false;
    void stalled.closed.then(() => (sawClose = true));
    let rounds = 0;
    while (!sawClose && rounds < 200) {
      rounds++;
      await publish(realtimeEnv, `flow:${roomId}`, payload);
      // Let the reader's acknowledgements arrive before the next broadcast.
      await roomStub(`flow:${roomId}`).sessionCount();
    }
    expect(await stalled.closed).toMatchObject({ code: 1013, reason: "slow consumer" });
    // ~4 KiB / ~213 bytes per frame: closed after about 20 messages, not 200.
    expect(rounds).toBeLessThan(40);
    // The reader got every broadcast (plus sync frames) and is still open.
    const received = reader.backlog.filter((f) => (f as { text?: string }).text !== undefined).length;
    expect(received).toBe(rounds);
    expect(await publish(realtimeEnv, `flow:${roomId}`, payload)).toBe(1);
  });
});

describe("storage", () => {
  it("keeps the operation config in SQLite and large auth records out of the 2 KiB attachment", async () => {
    const roomId = freshRoom();
    const claims = { blob: "c".repeat(3000) };
    const auth = { bearerAuth: { scheme: "bearerAuth", type: "http" as const, principal: "big", claims, scopes: [] } };
    const socket = await connect(operations.secure, { roomId }, auth);
    const stub = roomStub(`chat:${roomId}`);
    const sessionId = await runInDurableObject(stub, (_room, state) => {
      const config = state.storage.sql.exec<{ op: string; json: string }>("SELECT op, json FROM brrt_room_config").toArray();
      expect(config.map((r) => r.op)).toEqual(["secureRoom"]);
      expect(JSON.parse(config[0]!.json)).toMatchObject({ maxMessageBytes: 65536, maxSessions: 1000 });
      const [ws] = state.getWebSockets();
      const attachment = ws!.deserializeAttachment() as { id: string; auth?: unknown };
      expect(attachment.auth).toBeUndefined();
      const stored = state.storage.sql.exec<{ auth: string }>("SELECT auth FROM brrt_room_auth WHERE id = ?", attachment.id).one();
      expect(JSON.parse(stored.auth)).toEqual(auth);
      return attachment.id;
    });
    socket.ws.close(1000);
    await socket.closed;
    // The row goes when the session ends (onClose path); poll the room, which runs events in order.
    for (let i = 0; i < 50; i++) {
      const left = await runInDurableObject(stub, (_room, state) =>
        state.storage.sql.exec("SELECT id FROM brrt_room_auth WHERE id = ?", sessionId).toArray().length,
      );
      if (left === 0) return;
      await stub.sessionCount();
    }
    throw new Error("auth row was not deleted");
  });
});
