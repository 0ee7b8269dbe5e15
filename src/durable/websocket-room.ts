/**
 * WebSocket rooms: one Durable Object per room name, using the hibernation API so a room whose
 * sockets are idle is evicted from memory and costs nothing; workerd keeps the sockets open and
 * wakes the object for the next message.
 *
 * A session arrives already authorised and validated by the router (dispatchRealtime attaches a
 * grant). Everything the room must remember about a session survives hibernation in the socket's
 * attachment (and in SQLite when the auth record is too large for it); the per-operation config
 * (message schema, limits) is kept in SQLite, so a woken room can validate the next message.
 *
 * Inbound text frames are JSON-parsed and validated against the operation's `message` schema:
 * a bad frame gets an error frame and the socket stays open; a frame over `maxMessageBytes`
 * closes it with 1009. Binary frames get an error frame (the protocol is JSON text).
 *
 * User code supplies hooks per operationId with {@link defineRoomHooks}; without an `onMessage`
 * hook a valid message is broadcast to everyone in the room, sender included.
 *
 * Slow consumers. workerd's server-side WebSocket has no `bufferedAmount` (checked on
 * 1.20260426: the property does not exist), and every `send()` to a client that does not read is
 * queued in the room's memory without bound. Without a signal from the socket, the only exact
 * signal is the client's own: with `slowConsumer` declared, the room sends a control frame
 * `{"type":"brrt.sync","sent":N}` after every quarter of `maxUnackedBytes`, the client answers
 * `{"type":"brrt.ack","sent":N}` (after reading everything before it, by construction), and a
 * socket with more than `maxUnackedBytes` sent and unacknowledged is closed with 1013 (action
 * "close") or skipped until it catches up (action "drop", then told `{"type":"brrt.dropped",
 * "count":k}`). Counters live in memory: after hibernation a socket starts from zero.
 * Frames whose `type` starts with `brrt.` and `{"type":"error"}` frames are reserved.
 */
import { DurableObject } from "cloudflare:workers";
import type { ProblemError } from "../runtime/problem.ts";
import type { Auth } from "../runtime/security/types.ts";
import type { WebSocketRoomConfig } from "./realtime-extensions.ts";
import { compileMessageCheck, type MessageCheck } from "./realtime-message-check.ts";
import { readGrant, utf8Length } from "./realtime-protocol.ts";
import { Problem, isProblem } from "../runtime/problem.ts";

/** One connected client, as hooks see it. */
export interface RoomSession {
  readonly id: string;
  /** The operation the client connected through (several may share a room). */
  readonly operationId: string;
  readonly auth: Auth;
  /** Path parameters as the router coerced them. */
  readonly params: Readonly<Record<string, unknown>>;
  readonly joinedAt: number;
  /** Send to this session only: strings as-is, anything else JSON-encoded. */
  send(message: unknown): void;
  close(code?: number, reason?: string): void;
}

export interface RoomCloseInfo {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
}

/** The room, as hooks see it. */
export interface Room<Env = unknown> {
  readonly name: string;
  readonly env: Env;
  /** The room's own SQLite-backed storage (history, presence, ...). */
  readonly storage: DurableObjectStorage;
  /** Send to every session (or every one but `except`); returns how many were sent to. */
  broadcast(message: unknown, options?: { readonly except?: RoomSession | string }): number;
  sessions(): RoomSession[];
}

export interface RoomHooks<Message = unknown, Env = unknown> {
  /** After the socket is accepted, before the 101 goes back. Throwing closes it with 1011. */
  onOpen?(session: RoomSession, room: Room<Env>): void | Promise<void>;
  /** A valid message (already parsed and checked against the declared schema). Default: broadcast it. */
  onMessage?(session: RoomSession, message: Message, room: Room<Env>): void | Promise<void>;
  onClose?(session: RoomSession, info: RoomCloseInfo, room: Room<Env>): void | Promise<void>;
}

/**
 * Registry read by {@link WebSocketRoom}: module scope, so the same registration runs again in
 * every isolate (and after every hibernation wake-up) before the first event is delivered.
 */
const hooksByOperation = new Map<string, RoomHooks<never, never>>();

/**
 * Register hooks for sessions that joined through `operationId`. Call at module scope of the
 * worker (next to `createApp`). Returns the hooks for convenience.
 */
export function defineRoomHooks<Message = unknown, Env = unknown>(operationId: string, hooks: RoomHooks<Message, Env>): RoomHooks<Message, Env> {
  hooksByOperation.set(operationId, hooks as RoomHooks<never, never>);
  return hooks;
}

function hooksFor<Message, Env>(operationId: string): RoomHooks<Message, Env> | undefined {
  return hooksByOperation.get(operationId) as RoomHooks<Message, Env> | undefined;
}

/** What survives hibernation on each socket (≤ 2 KiB serialised; auth moves to SQLite if bigger). */
interface Attachment {
  readonly id: string;
  readonly op: string;
  readonly joinedAt: number;
  readonly params: Readonly<Record<string, unknown>>;
  readonly auth?: Auth;
}

/** Per-socket flow-control counters (memory only). */
interface FlowState {
  sent: number;
  acked: number;
  lastSync: number;
  dropped: number;
}

interface OperationState {
  readonly json: string;
  readonly config: WebSocketRoomConfig;
  check?: MessageCheck;
}

const ATTACHMENT_LIMIT = 2_000;
const CLOSE_TOO_BIG = 1009;
const CLOSE_INTERNAL = 1011;
const CLOSE_TRY_AGAIN = 1013;
const ACK_PREFIX = '{"type":"brrt.ack"';

function encode(message: unknown): string {
  return typeof message === "string" ? message : JSON.stringify(message);
}

export function errorFrame(status: number, title: string, detail: string, errors: readonly ProblemError[] = []): string {
  const frame: Record<string, unknown> = { type: "error", status, title, detail, pointer: errors[0]?.pointer ?? "" };
  if (errors.length > 0) frame.errors = errors;
  return JSON.stringify(frame);
}

export class WebSocketRoom<Env = unknown> extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly operations = new Map<string, OperationState>();
  private readonly flow = new WeakMap<WebSocket, FlowState>();
  /** Deserialised attachments, so a broadcast does not deserialise one per socket per message. */
  private readonly attachments = new WeakMap<WebSocket, Attachment | null>();
  private roomName: string | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec("CREATE TABLE IF NOT EXISTS brrt_room_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    this.sql.exec("CREATE TABLE IF NOT EXISTS brrt_room_config (op TEXT PRIMARY KEY, json TEXT NOT NULL)");
    this.sql.exec("CREATE TABLE IF NOT EXISTS brrt_room_auth (id TEXT PRIMARY KEY, auth TEXT NOT NULL)");
    // Keep-alive pings are answered by workerd without waking the room.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  // ---- admission -------------------------------------------------------------------------------

  override async fetch(request: Request): Promise<Response> {
    const grant = readGrant(request, "websocket");
    if (isProblem(grant)) return grant.toResponse();
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Problem(426, "Upgrade Required", "This operation is a WebSocket endpoint.", { headers: { upgrade: "websocket" } }).toResponse();
    }
    this.rememberName(grant.name);
    this.rememberOperation(grant.operationId, grant.config);
    if (this.openSockets().length >= grant.config.maxSessions) {
      return new Problem(503, "Service Unavailable", `Room ${JSON.stringify(grant.name)} is full (${grant.config.maxSessions} sessions).`, {
        headers: { "retry-after": "5" },
        extensions: { operationId: grant.operationId },
      }).toResponse();
    }

    const pair = new WebSocketPair();
    const client = pair[0];
    const server = pair[1];
    const id = crypto.randomUUID();
    this.ctx.acceptWebSocket(server, [`sid:${id}`, `op:${grant.operationId}`]);
    this.attach(server, { id, op: grant.operationId, joinedAt: Date.now(), params: grant.params, auth: grant.auth });
    const onOpen = hooksFor(grant.operationId)?.onOpen;
    if (onOpen !== undefined) {
      try {
        await onOpen(this.session(server), this.room());
      } catch (error) {
        console.error(`brrtrouter-edge: onOpen hook of ${grant.operationId} threw`, error);
        this.closeQuietly(server, CLOSE_INTERNAL, "onOpen failed");
      }
    }
    return new Response(null, { status: 101, webSocket: client });
  }

  // ---- hibernation handlers --------------------------------------------------------------------

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const attachment = this.attachmentOf(ws);
    if (attachment === undefined) return;
    const op = this.operation(attachment.op);
    if (op === undefined) {
      this.closeQuietly(ws, CLOSE_INTERNAL, "room configuration lost");
      return;
    }
    const { config } = op;
    if (typeof message !== "string") {
      if (message.byteLength > config.maxMessageBytes) return this.closeQuietly(ws, CLOSE_TOO_BIG, "message too big");
      ws.send(errorFrame(400, "Bad Request", "Binary frames are not accepted: send JSON text."));
      return;
    }
    // Length is a lower bound of the UTF-8 size and 3×length an upper bound: count bytes only in between.
    if (message.length > config.maxMessageBytes || (message.length * 3 > config.maxMessageBytes && utf8Length(message) > config.maxMessageBytes)) {
      return this.closeQuietly(ws, CLOSE_TOO_BIG, "message too big");
    }
    if (config.slowConsumer !== undefined && message.startsWith(ACK_PREFIX)) return this.acknowledge(ws, message);

    let value: unknown;
    try {
      value = JSON.parse(message);
    } catch {
      ws.send(errorFrame(400, "Bad Request", "The message is not valid JSON.", [{ in: "body", pointer: "", message: "is not JSON" }]));
      return;
    }
    op.check ??= compileMessageCheck(config.message);
    const errors = op.check(value);
    if (errors !== undefined) {
      ws.send(errorFrame(400, "Bad Request", `The message does not match the schema of ${attachment.op}.`, errors));
      return;
    }
    const hooks = hooksFor(attachment.op);
    try {
      if (hooks?.onMessage !== undefined) await hooks.onMessage(this.session(ws, attachment), value, this.room());
      else this.broadcastText(message);
    } catch (error) {
      console.error(`brrtrouter-edge: onMessage hook of ${attachment.op} threw`, error);
      ws.send(errorFrame(500, "Internal Server Error", "The room failed to handle this message."));
    }
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string, wasClean: boolean): Promise<void> {
    // Complete the closing handshake (a no-op where workerd already replied).
    this.closeQuietly(ws, code === 1005 || code === 1006 ? 1000 : code, reason);
    await this.ended(ws, { code, reason, wasClean });
  }

  override async webSocketError(ws: WebSocket, error: unknown): Promise<void> {
    console.warn("brrtrouter-edge: WebSocket error in room", this.roomName, error);
    await this.ended(ws, { code: 1006, reason: "error", wasClean: false });
  }

  // ---- RPC (publish from any handler) --------------------------------------------------------

  /** Send an already-encoded message to every session (or all but the one with id `except`). */
  broadcastText(text: string, except?: string): number {
    const bytes = utf8Length(text);
    let sent = 0;
    for (const ws of this.openSockets()) {
      if (except !== undefined && this.attachmentOf(ws)?.id === except) continue;
      if (this.deliver(ws, text, bytes)) sent++;
    }
    return sent;
  }

  /** Number of open sessions (sockets the room has not closed or seen close). */
  sessionCount(): number {
    return this.openSockets().length;
  }

  // ---- internals -----------------------------------------------------------------------------

  private deliver(ws: WebSocket, text: string, bytes: number): boolean {
    const op = this.operation(this.attachmentOf(ws)?.op ?? "");
    const policy = op?.config.slowConsumer;
    if (policy === undefined) return this.sendQuietly(ws, text);
    let state = this.flow.get(ws);
    if (state === undefined) {
      state = { sent: 0, acked: 0, lastSync: 0, dropped: 0 };
      this.flow.set(ws, state);
    }
    if (state.sent - state.acked > policy.maxUnackedBytes) {
      if (policy.action === "close") {
        this.closeQuietly(ws, CLOSE_TRY_AGAIN, "slow consumer");
        return false;
      }
      state.dropped++;
      return false;
    }
    if (state.dropped > 0) {
      const notice = JSON.stringify({ type: "brrt.dropped", count: state.dropped });
      state.dropped = 0;
      this.sendQuietly(ws, notice);
      state.sent += notice.length;
    }
    if (!this.sendQuietly(ws, text)) return false;
    state.sent += bytes;
    if (state.sent - state.lastSync >= policy.maxUnackedBytes / 4) {
      const sync = `{"type":"brrt.sync","sent":${state.sent}}`;
      this.sendQuietly(ws, sync);
      state.lastSync = state.sent;
    }
    return true;
  }

  private acknowledge(ws: WebSocket, message: string): void {
    let sent: unknown;
    try {
      sent = (JSON.parse(message) as { sent?: unknown }).sent;
    } catch {
      sent = undefined;
    }
    const state = this.flow.get(ws);
    // Acknowledging more than was sent (or after a wake-up reset the counters) is ignored.
    if (state !== undefined && typeof sent === "number" && sent <= state.sent && sent > state.acked) state.acked = sent;
  }

  private async ended(ws: WebSocket, info: RoomCloseInfo): Promise<void> {
    const attachment = this.attachmentOf(ws);
    if (attachment === undefined) return;
    // Mark it ended first so a close followed by an error runs onClose once.
    this.attachments.set(ws, null);
    try {
      ws.serializeAttachment(null);
    } catch {
      // Some states refuse attachment changes; the in-memory mark is what matters for this wake-up.
    }
    const onClose = hooksFor(attachment.op)?.onClose;
    try {
      if (onClose !== undefined) await onClose(this.session(ws, attachment), info, this.room());
    } catch (error) {
      console.error(`brrtrouter-edge: onClose hook of ${attachment.op} threw`, error);
    } finally {
      if (attachment.auth === undefined) this.sql.exec("DELETE FROM brrt_room_auth WHERE id = ?", attachment.id);
    }
  }

  private rememberName(name: string): void {
    if (this.roomName === name) return;
    this.roomName = name;
    this.sql.exec("INSERT INTO brrt_room_meta (key, value) VALUES ('name', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", name);
  }

  private name(): string {
    this.roomName ??= this.sql.exec<{ value: string }>("SELECT value FROM brrt_room_meta WHERE key = 'name'").toArray()[0]?.value ?? "";
    return this.roomName;
  }

  /** Keep the operation's config (schema, limits) in memory and, when it changed, in SQLite. */
  private rememberOperation(operationId: string, config: WebSocketRoomConfig): void {
    const json = JSON.stringify(config);
    if (this.operations.get(operationId)?.json === json) return;
    this.operations.set(operationId, { json, config });
    this.sql.exec(
      "INSERT INTO brrt_room_config (op, json) VALUES (?, ?) ON CONFLICT (op) DO UPDATE SET json = excluded.json",
      operationId,
      json,
    );
  }

  private operation(operationId: string): OperationState | undefined {
    let state = this.operations.get(operationId);
    if (state === undefined) {
      const row = this.sql.exec<{ json: string }>("SELECT json FROM brrt_room_config WHERE op = ?", operationId).toArray()[0];
      if (row === undefined) return undefined;
      state = { json: row.json, config: JSON.parse(row.json) as WebSocketRoomConfig };
      this.operations.set(operationId, state);
    }
    return state;
  }

  private attach(ws: WebSocket, attachment: Attachment): void {
    let kept = attachment;
    if (JSON.stringify(attachment).length > ATTACHMENT_LIMIT) {
      // Large auth records (JWT claims) do not fit the 2 KiB attachment: keep them in SQLite.
      this.sql.exec("INSERT OR REPLACE INTO brrt_room_auth (id, auth) VALUES (?, ?)", attachment.id, JSON.stringify(attachment.auth ?? {}));
      kept = { id: attachment.id, op: attachment.op, joinedAt: attachment.joinedAt, params: attachment.params };
    }
    ws.serializeAttachment(kept);
    this.attachments.set(ws, kept);
  }

  private attachmentOf(ws: WebSocket): Attachment | undefined {
    let attachment = this.attachments.get(ws);
    if (attachment === undefined) {
      attachment = (ws.deserializeAttachment() as Attachment | null) ?? null;
      this.attachments.set(ws, attachment);
    }
    return attachment ?? undefined;
  }

  private authOf(attachment: Attachment): Auth {
    if (attachment.auth !== undefined) return attachment.auth;
    const row = this.sql.exec<{ auth: string }>("SELECT auth FROM brrt_room_auth WHERE id = ?", attachment.id).toArray()[0];
    return row === undefined ? {} : (JSON.parse(row.auth) as Auth);
  }

  private session(ws: WebSocket, attachment = this.attachmentOf(ws)): RoomSession {
    const a = attachment ?? { id: "", op: "", joinedAt: 0, params: {} };
    const self = this;
    let auth: Auth | undefined;
    return {
      id: a.id,
      operationId: a.op,
      params: a.params,
      joinedAt: a.joinedAt,
      get auth() {
        return (auth ??= self.authOf(a));
      },
      send: (message) => {
        const text = encode(message);
        this.deliver(ws, text, utf8Length(text));
      },
      close: (code, reason) => this.closeQuietly(ws, code ?? 1000, reason ?? ""),
    };
  }

  private room(): Room<Env> {
    // Made per event: cheap, and `name` is read lazily (from SQLite after a wake-up).
    const self = this;
    return {
      get name() {
        return self.name();
      },
      env: this.env,
      storage: this.ctx.storage,
      broadcast: (message, options) => {
        const except = options?.except;
        return this.broadcastText(encode(message), typeof except === "string" ? except : except?.id);
      },
      sessions: () => this.openSockets().flatMap((ws) => {
        const a = this.attachmentOf(ws);
        return a === undefined ? [] : [this.session(ws, a)];
      }),
    };
  }

  /**
   * Sockets still open. A socket the room closed stays in getWebSockets() until the client
   * answers the close frame, which a client that does not read never does.
   */
  private openSockets(): WebSocket[] {
    return this.ctx.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN);
  }

  private sendQuietly(ws: WebSocket, text: string): boolean {
    try {
      ws.send(text);
      return true;
    } catch {
      // Closed between getWebSockets() and send(): nothing to deliver to.
      return false;
    }
  }

  private closeQuietly(ws: WebSocket, code: number, reason: string): void {
    try {
      ws.close(code, reason);
    } catch {
      // Already closed.
    }
  }
}
