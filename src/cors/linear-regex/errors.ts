/** Why a pattern was refused. */
export type RegexErrorCode = "REGEX_SYNTAX" | "REGEX_UNSUPPORTED" | "REGEX_TOO_LARGE";

/** Thrown when a pattern cannot be compiled; `position` is the index in the source of the offending construct. */
export class RegexSyntaxError extends Error {
  override readonly name = "RegexSyntaxError";
  readonly code: RegexErrorCode;
  readonly position: number;

  constructor(code: RegexErrorCode, message: string, position: number) {
    super(message);
    this.code = code;
    this.position = position;
  }
}
