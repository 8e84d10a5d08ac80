import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { useRouter } from "../router";
import { Dialog } from "./Dialog";

/**
 * While `dirty`, leaving the page asks first: a dialog for the console's own links, the browser's
 * prompt for a reload or a closed tab. Returns the dialog to render.
 */
export function useUnsavedGuard(dirty: boolean): React.ReactNode {
  const { setGuard } = useRouter();
  const [asking, setAsking] = useState(false);
  const answer = useRef<((leave: boolean) => void) | undefined>(undefined);
  const mounted = useRef(true);
  // A layout effect: the guard is removed in the same commit that unmounts the page, so a click that
  // follows at once never meets the guard of a page that is gone (it would wait on a dialog that no
  // longer exists, and the navigation would be lost).
  useLayoutEffect(() => {
    mounted.current = true;
    if (!dirty) {
      setGuard(undefined);
      return () => {
        mounted.current = false;
      };
    }
    setGuard(
      () =>
        new Promise<boolean>((resolve) => {
          if (!mounted.current) return resolve(true);
          answer.current = resolve;
          setAsking(true);
        }),
    );
    return () => {
      mounted.current = false;
      setGuard(undefined);
    };
  }, [dirty, setGuard]);
  useEffect(() => {
    if (!dirty) return;
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      e.preventDefault();
    };
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => window.removeEventListener("beforeunload", onBeforeUnload);
  }, [dirty]);
  const close = (leave: boolean) => {
    setAsking(false);
    answer.current?.(leave);
    answer.current = undefined;
  };
  if (!asking) return null;
  return (
    <Dialog
      title="Leave without saving?"
      onCancel={() => close(false)}
      actions={
        <>
          <button type="button" className="primary" data-autofocus onClick={() => close(false)}>
            Stay
          </button>
          <button type="button" className="danger" onClick={() => close(true)}>
            Leave
          </button>
        </>
      }
    >
      <p>You have unsaved changes on this page. If you leave, they are lost.</p>
    </Dialog>
  );
}

/**
 * Whether the form holds edits not saved. The server's check of this very draft decides once it has
 * answered; until then (the moments after a keystroke) any difference from the draft as loaded counts,
 * so that leaving right after typing still asks: asking once too often loses nothing.
 */
export function isEdited(
  draft: unknown,
  loaded: unknown,
  check: { current: boolean; data?: { unchanged: boolean } | undefined },
): boolean {
  if (check.current && check.data !== undefined) return !check.data.unchanged;
  return JSON.stringify(draft) !== JSON.stringify(loaded);
}

/** Field-by-field three-way merge: a field I changed from `base` keeps my value, else takes theirs. */
export function mergeEdits<T extends object>(base: T, mine: T, theirs: T): T {
  const out: Record<string, unknown> = {};
  const keys = new Set([...Object.keys(base), ...Object.keys(mine), ...Object.keys(theirs)]);
  const b = base as Record<string, unknown>;
  const m = mine as Record<string, unknown>;
  const t = theirs as Record<string, unknown>;
  for (const k of keys) {
    const changedByMe = JSON.stringify(m[k]) !== JSON.stringify(b[k]);
    const value = changedByMe ? m[k] : t[k];
    if (value !== undefined) out[k] = value;
  }
  return out as T;
}
