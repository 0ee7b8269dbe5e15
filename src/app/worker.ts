/**
 * The example pet store: spec/openapi.yaml + these handlers + a SQLite-backed Durable Object.
 * Everything a handler receives has already been authorised, parsed and validated.
 */
import * as spec from "../../generated/petstore/spec.js";
import { createApp, Problem, type HandlerRequest, type Handlers, type OperationIds } from "../runtime/index.ts";
import { PetStore, type NewPet, type PetQuery } from "../durable/pet-store.ts";
import { publishEvent, type RealtimeEnv } from "../durable/realtime.ts";
import { DEMO_PAGE } from "./demo-page.ts";
import { exampleSecurity } from "./security.ts";

export { PetStore };
export { WebSocketRoom, SseChannel } from "../durable/realtime.ts";

export interface Env extends RealtimeEnv {
  readonly PET_STORE: DurableObjectNamespace<PetStore>;
  readonly API_KEYS?: string;
  readonly JWT_SECRET?: string;
  readonly BASIC_USERS?: string;
  readonly BRRT_RESPONSE_VALIDATION?: string;
}

/** One store for the whole app: a single named Durable Object. */
function store(env: Env): DurableObjectStub<PetStore> {
  return env.PET_STORE.get(env.PET_STORE.idFromName("default"));
}

function petNotFound(id: unknown): Response {
  return new Problem(404, "Not Found", `No pet has id ${String(id)}.`).toResponse();
}

function petId(request: HandlerRequest): number {
  return request.params.petId as number;
}

// Keyed by the spec's operationIds: a misspelt name does not compile.
const handlers: Handlers<Env, OperationIds<typeof spec>> = {
  async listPets(request, { env }) {
    const query: PetQuery = {
      limit: request.query.limit as number,
      species: request.query.species as string[] | undefined,
      tags: request.query.tags as string[] | undefined,
    };
    const { pets, total } = await store(env).list(query);
    return { body: pets, headers: { "x-total-count": String(total) } };
  },

  async searchPets(request, { env }) {
    const filter = (request.query.filter ?? {}) as { species?: string; minAge?: number; name?: string };
    const where = request.query.where as { tag?: string } | undefined;
    const query: PetQuery = {
      limit: 100,
      species: filter.species === undefined ? undefined : [filter.species],
      minAge: filter.minAge,
      name: filter.name,
      names: request.query.names as string[] | undefined,
      ids: request.query.ids as number[] | undefined,
      tags: where?.tag === undefined ? undefined : [where.tag],
      sort: request.cookies.sort as PetQuery["sort"],
    };
    return { body: (await store(env).list(query)).pets };
  },

  async createPet(request, { env, waitUntil }) {
    const pet = await store(env).create(request.body as NewPet);
    waitUntil(publishEvent(env, "pets", { event: "pet.created", data: pet }));
    return { status: 201, body: pet, headers: { location: `/pets/${pet.id}` } };
  },

  async getPet(request, { env }) {
    const pet = await store(env).get(petId(request));
    return pet === null ? petNotFound(petId(request)) : { body: pet };
  },

  async updatePet(request, { env, waitUntil }) {
    const pet = await store(env).update(petId(request), request.body as NewPet);
    if (pet !== null) waitUntil(publishEvent(env, "pets", { event: "pet.updated", data: pet }));
    return pet === null ? petNotFound(petId(request)) : { body: pet };
  },

  async deletePet(request, { env }) {
    return (await store(env).delete(petId(request))) ? { status: 204 } : petNotFound(petId(request));
  },

  async getStats(_request, { env }) {
    return { body: await store(env).stats() };
  },

  getLabels(request) {
    return { body: request.params.colors };
  },

  echo(request) {
    const body = request.body as string | Uint8Array;
    return new Response(body, { headers: { "content-type": request.contentType ?? "text/plain" } });
  },

  whoAmI(request) {
    return { body: request.auth };
  },
};

export default createApp<Env>({
  spec,
  handlers,
  security: exampleSecurity,
  // Not in the spec: a demo page, added in code through itty-router.
  routes: (router) => router.get("/", () => new Response(DEMO_PAGE, { headers: { "content-type": "text/html; charset=utf-8" } })),
});
