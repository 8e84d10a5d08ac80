/** The longest header value or path an access log line holds; longer ones are cut and marked. */
export const MAX_LOGGED_VALUE = 256;

/**
 * A request value as the access log writes it: at most `max` characters, a longer one cut with its
 * full length noted (`https://aaaa…[5000 chars]`), so that a client cannot inflate every log line to
 * the size of its request head. Hot path: a value within the limit is returned as it is.
 */
export function logValue(value: string | undefined, max = MAX_LOGGED_VALUE): string | undefined {
  if (value === undefined || value.length <= max) return value;
  return `${value.slice(0, max)}…[${value.length} chars]`;
}
