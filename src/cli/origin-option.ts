import { InvalidArgumentError } from "commander";
import { isParseError, parseOrigin } from "../cors/origin.js";

/**
 * Reads `--origin` as the browser sends it: `scheme://host[:port]`, or `null` (an opaque origin such as a
 * sandboxed iframe's). Anything else is a usage error (commander exits 1) that names the expected form:
 * `--origin app.test` is refused with "use --origin https://app.test".
 *
 * @example program.requiredOption("--origin <origin>", "the page's origin", originOption)
 */
export function originOption(value: string): string {
  if (value === "null") return value;
  const parsed = parseOrigin(value);
  if (!isParseError(parsed)) return value;
  const example =
    /^[A-Za-z0-9.[\]:-]+$/.test(value) && !value.includes("://")
      ? `https://${value}`
      : "https://app.example.com";
  throw new InvalidArgumentError(
    `${JSON.stringify(value)} is not an origin: ${parsed.detail}. ` +
      `An origin is scheme://host[:port] as the browser sends it, e.g. --origin ${example} (or null).`,
  );
}
