/**
 * Build-time problems, reported as `file:line:col: message` (one line each, never a stack trace).
 */

export interface SourcePosition {
  /** Path of the file as given or relative to the working directory. */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
}

export interface Diagnostic extends SourcePosition {
  readonly severity: "error" | "warning";
  readonly message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  const prefix = d.severity === "warning" ? "warning: " : "";
  return `${d.file}:${d.line}:${d.column}: ${prefix}${d.message}`;
}

export function diagnostic(at: SourcePosition, message: string, severity: Diagnostic["severity"] = "error"): Diagnostic {
  return { file: at.file, line: at.line, column: at.column, message, severity };
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Stable order: by file, then line, then column, so output does not depend on traversal order. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.message.localeCompare(b.message),
  );
}
