/** Delivery shared by every store's watch: increasing numbers only, and a listener can never crash the store. */

export type ChangeListener = (revision: number) => void;
export type ErrorListener = (error: Error) => void;

export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/**
 * Passes on revision numbers above the last one passed (duplicates and late arrivals from overlapping
 * sources, such as a notification and a catch-up check, are dropped), and routes whatever the listeners throw
 * to `onError`, or nowhere.
 */
export class ChangeDelivery {
  #last: number;
  readonly #onChange: ChangeListener;
  readonly #onError: ErrorListener | undefined;

  constructor(baseline: number, onChange: ChangeListener, onError: ErrorListener | undefined) {
    this.#last = baseline;
    this.#onChange = onChange;
    this.#onError = onError;
  }

  get last(): number {
    return this.#last;
  }

  offer(revision: number): void {
    if (!Number.isSafeInteger(revision) || revision <= this.#last) return;
    this.#last = revision;
    try {
      this.#onChange(revision);
    } catch (error) {
      this.error(new Error(`store watch: onChange threw: ${toError(error).message}`, { cause: error }));
    }
  }

  error(error: unknown): void {
    if (this.#onError === undefined) return;
    try {
      this.#onError(toError(error));
    } catch {
      // The error listener failed too; there is nobody left to tell, and the watch must go on.
    }
  }
}
