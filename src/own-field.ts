/**
 * Sets `name` on a plain object as an own field, whatever the name: assigning `__proto__` would set
 * the object's prototype instead (and a string value would be dropped without a word).
 */
export function setOwnField(object: object, name: string, value: unknown): void {
  if (name === "__proto__") {
    Object.defineProperty(object, name, { value, enumerable: true, writable: true, configurable: true });
  } else (object as Record<string, unknown>)[name] = value;
}
