/**
 * Being told that the client went away, without an AbortSignal. `BackendRequest.signal` is an
 * AbortController's signal: an EventTarget, whose creation and listeners cost about 4% of a
 * proxied request's CPU time in a profile (docs/benchmarks.md, Optimizations). The gateway's
 * backend requests also offer this form, and the http backend uses it when it is there; other
 * callers (tests, other backends) keep using `signal`.
 */
export interface ClientWatch {
  /**
   * Calls `listener` once, with the abort reason, if the client goes away before the response is
   * finished. Returns false, registering nothing, when the client is gone already.
   */
  watchClient(listener: (reason: Error) => void): boolean;
  /** Forgets the listener (the response is complete, or the request failed). */
  unwatchClient(): void;
}

/** The request's ClientWatch, if it offers one. */
export function clientWatchOf(request: object): ClientWatch | undefined {
  return typeof (request as Partial<ClientWatch>).watchClient === "function"
    ? (request as ClientWatch)
    : undefined;
}

/** The reason an AbortController's `abort()` gives when called without one. */
export function clientGoneReason(): Error {
  return new DOMException("This operation was aborted", "AbortError");
}
