/**
 * A small worker for the realtime end-to-end tests and the bench: the realtime Durable Objects
 * plus a hand-written stand-in for the router pipeline (match → authorise → validate →
 * dispatchRealtime), so these tests depend only on src/durable/.
 *
 * Routes:
 *   GET  /chat/{roomId}            x-websocket, default behaviour (broadcast every valid message)
 *   GET  /hooked/{roomId}          x-websocket with hooks (welcome, echo envelope, leave notice)
 *   GET  /flow/{roomId}            x-websocket with slowConsumer { maxUnackedBytes: 4096, action: close }
 *   GET  /secure/{roomId}          x-websocket behind an API key (x-api-key: test-key)
 *   GET  /events/{channel}         x-sse (retain 50, heartbeat 1 s)
 *   POST /publish/{roomId}         publish(env, "chat:" + roomId, body)  → { delivered }
 *   POST /emit/{channel}           publishEvent(env, channel, body)       → { id, delivered }
 *   GET  /stats/{roomId}?kind=chat { sessions } of room `${kind}:${roomId}`
 */
import type { OperationMeta } from "../../src/runtime/compiled-spec.ts";
import { Problem } from "../../src/runtime/problem.ts";
import type { Auth } from "../../src/runtime/security/types.ts";
import { chatMessageSchema } from "./realtime-schemas.ts";
import {
  defineRoomHooks,
  dispatchRealtime,
  publish,
  publishEvent,
  SseChannel,
  WebSocketRoom,
  type RealtimeEnv,
} from "../../src/durable/realtime.ts";

export { WebSocketRoom, SseChannel };

export type Env = Required<RealtimeEnv>;

const ROOM_ID = /^[a-z0-9-]{1,64}$/;


function operation(index: number, operationId: string, path: string, extensions: OperationMeta["extensions"], security: OperationMeta["security"] = []): OperationMeta {
  return {
    index,
    operationId,
    method: "GET",
    path,
    tags: [],
    deprecated: false,
    parameters: [],
    responses: {},
    security,
    extensions,
  };
}

export const operations = {
  chat: operation(0, "chatRoom", "/chat/{roomId}", { "x-websocket": { room: "chat:{roomId}", message: chatMessageSchema, maxMessageBytes: 1024, maxSessions: 2000 } }),
  hooked: operation(1, "hookedRoom", "/hooked/{roomId}", { "x-websocket": { room: "hooked:{roomId}", maxSessions: 3 } }),
  flow: operation(2, "flowRoom", "/flow/{roomId}", { "x-websocket": { room: "flow:{roomId}", slowConsumer: { maxUnackedBytes: 4096, action: "close" } } }),
  secure: operation(3, "secureRoom", "/secure/{roomId}", { "x-websocket": { room: "chat:{roomId}" } }, [{ apiKey: [] }]),
  events: operation(4, "channelEvents", "/events/{channel}", { "x-sse": { channel: "{channel}", retainEvents: 50, heartbeatSeconds: 1, maxQueuedBytes: 65_536 } }),
} as const;

defineRoomHooks<{ text?: string }>("hookedRoom", {
  onOpen(session, room) {
    session.send({ type: "welcome", id: session.id, room: room.name, present: room.sessions().length });
  },
  onMessage(session, message, room) {
    room.broadcast({ type: "echo", from: session.id, message });
  },
  onClose(session, info, room) {
    room.broadcast({ type: "left", id: session.id, code: info.code }, { except: session });
  },
});

function badParam(name: string): Response {
  return new Problem(400, "Bad Request", `Path parameter ${name} does not match its schema.`, {
    errors: [{ in: "path", name, pointer: `/${name}`, message: "must match pattern ^[a-z0-9-]{1,64}$" }],
  }).toResponse();
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const [, first, second] = url.pathname.split("/");
    if (second === undefined) return new Response("realtime test worker\n");
    const id = decodeURIComponent(second);
    if (!ROOM_ID.test(id)) return badParam(first === "events" || first === "emit" ? "channel" : "roomId");

    if (request.method === "POST" && first === "publish") {
      return Response.json({ delivered: await publish(env, `chat:${id}`, await request.json()) });
    }
    if (request.method === "POST" && first === "emit") {
      const body = (await request.json()) as { event?: string; data: unknown };
      return Response.json(await publishEvent(env, id, body));
    }
    if (request.method === "GET" && first === "stats") {
      const room = `${url.searchParams.get("kind") ?? "chat"}:${id}`;
      return Response.json({ sessions: await env.ROOMS.get(env.ROOMS.idFromName(room)).sessionCount() });
    }
    const op = (
      { chat: operations.chat, hooked: operations.hooked, flow: operations.flow, secure: operations.secure, events: operations.events } as Record<string, OperationMeta>
    )[first ?? ""];
    if (op === undefined || request.method !== "GET") return new Problem(404, "Not Found", "No such route.").toResponse();
    // The pipeline's authorise stage, reduced to what these tests need.
    if (op.security.length > 0 && request.headers.get("x-api-key") !== "test-key") {
      return new Problem(401, "Unauthorized", "An API key is required.", { headers: { "www-authenticate": 'ApiKey header="x-api-key"' } }).toResponse();
    }
    const auth: Auth = op.security.length > 0 ? { apiKey: { scheme: "apiKey", type: "apiKey", principal: "tester", scopes: [] } } : {};
    const params = op === operations.events ? { channel: id } : { roomId: id };
    return dispatchRealtime(request, op, params, auth, env);
  },
} satisfies ExportedHandler<Env>;
