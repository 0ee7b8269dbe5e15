/**
 * Realtime sessions for brrtrouter-edge — the public entry point:
 *
 * - `realtimeKindOf(op)` / `dispatchRealtime(request, op, params, auth, env)`: the router's
 *   dispatch stage for operations declaring `x-websocket` / `x-sse`;
 * - `publish(env, room, message)` / `publishEvent(env, channel, event)`: from any handler;
 * - `defineRoomHooks(operationId, { onOpen, onMessage, onClose })`: room behaviour in code;
 * - `WebSocketRoom`, `SseChannel`: the Durable Object classes to export from the worker and
 *   bind as `ROOMS` / `CHANNELS` (SQLite-backed: `new_sqlite_classes`).
 *
 * Extension shapes: realtime-extensions.ts. Room protocol (error frames, flow control):
 * websocket-room.ts. Channel semantics (ids, replay, gaps): sse-channel.ts.
 */
export {
  CHANNELS_BINDING,
  dispatchRealtime,
  publish,
  publishEvent,
  realtimeKindOf,
  ROOMS_BINDING,
  type RealtimeEnv,
  type RealtimeKind,
} from "./realtime-dispatch.ts";
export { defineRoomHooks, errorFrame, WebSocketRoom, type Room, type RoomCloseInfo, type RoomHooks, type RoomSession } from "./websocket-room.ts";
export { formatEvent, SseChannel, type ChannelEvent, type PublishedEvent } from "./sse-channel.ts";
export type { SlowConsumerPolicy, SseChannelConfig, WebSocketRoomConfig } from "./realtime-extensions.ts";
