/**
 * brrtrouter-edge — the runtime (Workers / workerd). Import this from your worker.
 */
export { createApp, type App, type AppOptions, type ComposeRoutes, type Logger } from "./app.ts";
export type { Handler, HandlerContext, HandlerRequest, HandlerResult, Handlers, OperationIds } from "./handler.ts";
export { Problem, isProblem, pointer, type ProblemError, type ProblemLocation } from "./problem.ts";
export type * from "./compiled-spec.ts";
export type { Auth, SchemeResult, SecurityConfig } from "./security/index.ts";
export type { ResponseValidationMode } from "./response-validation.ts";
export { DEFAULT_LIMITS, type Limits } from "./limits.ts";
