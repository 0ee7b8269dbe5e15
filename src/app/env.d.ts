// Ties the Workers type globals to the example app, as `wrangler types` would: `env` and
// `exports` from "cloudflare:workers" are typed by the worker in src/app/worker.ts.
declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import("./worker.ts");
    durableNamespaces: "PetStore" | "WebSocketRoom" | "SseChannel";
  }
  interface Env extends import("./worker.ts").Env {}
}
