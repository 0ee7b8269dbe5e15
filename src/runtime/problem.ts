/**
 * RFC 9457 problem details: the one shape every refusal takes.
 *
 * Pipeline stages return a `Problem` instead of throwing (throwing is slow and loses the
 * distinction between a client mistake and a bug); the pipeline turns it into a response.
 */

export type ProblemLocation = "path" | "query" | "header" | "cookie" | "body";

/** One violation: where it is (`in` + `name`), a JSON pointer to the offending value, and a message for a client developer. */
export interface ProblemError {
  readonly in: ProblemLocation;
  readonly name?: string;
  readonly pointer: string;
  readonly message: string;
}

/** At most this many violations are listed, so a huge bad body cannot make a huge error. */
export const MAX_PROBLEM_ERRORS = 20;

export class Problem {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly errors: readonly ProblemError[] | undefined;
  /** Extra members (`operationId`, `requestId`, ...), serialised beside the standard ones. */
  readonly extensions: Readonly<Record<string, unknown>> | undefined;
  /** Extra response headers (`Allow`, `WWW-Authenticate`, ...). */
  readonly headers: Readonly<Record<string, string>> | undefined;

  constructor(
    status: number,
    title: string,
    detail: string,
    options: {
      errors?: readonly ProblemError[];
      extensions?: Readonly<Record<string, unknown>>;
      headers?: Readonly<Record<string, string>>;
    } = {},
  ) {
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.errors = options.errors?.slice(0, MAX_PROBLEM_ERRORS);
    this.extensions = options.extensions;
    this.headers = options.headers;
  }

  toJSON(): Record<string, unknown> {
    const body: Record<string, unknown> = { type: "about:blank", title: this.title, status: this.status, detail: this.detail };
    if (this.errors !== undefined && this.errors.length > 0) body.errors = this.errors;
    if (this.extensions !== undefined) {
      for (const [key, value] of Object.entries(this.extensions)) if (!(key in body)) body[key] = value;
    }
    return body;
  }

  toResponse(extraHeaders?: Readonly<Record<string, string>>): Response {
    const headers = new Headers({ "content-type": "application/problem+json" });
    if (this.headers !== undefined) for (const [k, v] of Object.entries(this.headers)) headers.set(k, v);
    if (extraHeaders !== undefined) for (const [k, v] of Object.entries(extraHeaders)) headers.set(k, v);
    return new Response(JSON.stringify(this.toJSON()), { status: this.status, headers });
  }
}

export function isProblem(value: unknown): value is Problem {
  return value instanceof Problem;
}

/** Escape one reference token for a JSON pointer (RFC 6901). */
export function pointerToken(token: string | number): string {
  return String(token).replace(/~/g, "~0").replace(/\//g, "~1");
}

export function pointer(...tokens: readonly (string | number)[]): string {
  return tokens.length === 0 ? "" : "/" + tokens.map(pointerToken).join("/");
}
