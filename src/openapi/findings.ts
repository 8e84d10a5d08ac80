/**
 * What `crossgate import` (and `export`) report: one finding per thing that was not carried over
 * exactly, or per decision made for the user. Each names the source path in the document, what
 * happened, and what to do; the codes are IMPORT_FINDINGS in src/errors.ts.
 */
import type { ImportFindingCode } from "../errors.js";

export interface Note {
  /** `warning`: not translated, or translated with different behaviour; `info`: a choice that was made. */
  readonly severity: "warning" | "info";
  readonly code: ImportFindingCode;
  /** JSON pointer (RFC 6901) into the source: the document on import, the configuration on export. */
  readonly pointer: string;
  /** The same place as a dotted path, as printed: `paths./pets.options.x-amazon-apigateway-integration`. */
  readonly source: string;
  readonly message: string;
  /** What the user should do about it. */
  readonly action: string;
}

/** The machine-readable form of a note (`crossgate import --json`). */
export interface Finding {
  readonly severity: "warning" | "info" | "error";
  readonly code: string;
  readonly source: string;
  readonly message: string;
  readonly action: string;
}

/** A key that a dotted path cannot show bare is bracketed: `responseParameters["method.response.header.Vary"]`. */
function segment(token: string, first: boolean): string {
  if (token !== "" && !/[.[\]\s"]/.test(token)) return first ? token : `.${token}`;
  return `[${JSON.stringify(token)}]`;
}

/** `/paths/~1pets/options` is `paths./pets.options`; the root is the empty string. */
export function sourcePath(pointer: string): string {
  if (pointer === "") return "";
  return pointer
    .slice(1)
    .split("/")
    .map((t, i) => segment(t.replaceAll("~1", "/").replaceAll("~0", "~"), i === 0))
    .join("");
}

export class Notes {
  readonly list: Note[] = [];
  warn(code: ImportFindingCode, pointer: string, message: string, action: string): void {
    this.list.push({ severity: "warning", code, pointer, source: sourcePath(pointer), message, action });
  }
  info(code: ImportFindingCode, pointer: string, message: string, action: string): void {
    this.list.push({ severity: "info", code, pointer, source: sourcePath(pointer), message, action });
  }
}

/** One line: `warning paths./pets.get: message; do: action [CODE]`. */
export function formatNote(note: Note | Finding): string {
  const where = note.source === "" ? "(document root)" : note.source;
  const label = note.severity === "info" ? "info   " : note.severity === "error" ? "error  " : "warning";
  return `${label} ${where}: ${note.message}; do: ${note.action} [${note.code}]`;
}

export function toFinding(note: Note): Finding {
  return {
    severity: note.severity,
    code: note.code,
    source: note.source,
    message: note.message,
    action: note.action,
  };
}
