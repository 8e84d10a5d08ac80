import { ErrorAlert } from "./bits";

/**
 * The foot of an editor form: the save error or the saved message, the Save button, and what saving
 * would do now (still checking, problems to fix, nothing to save, or a new revision).
 */
export function SaveBar({
  saveError,
  saved,
  busy,
  check,
  errorCount,
}: {
  saveError: unknown;
  saved: string | undefined;
  busy: boolean;
  check: { data?: { unchanged: boolean } | undefined; current: boolean };
  errorCount: number;
}) {
  return (
    <>
      {saveError ? <ErrorAlert error={saveError} /> : null}
      {saved ? (
        <p role="status" className="ok-box">
          {saved}
        </p>
      ) : null}
      <div className="row sticky-actions">
        <button type="submit" className="primary" disabled={busy}>
          Save
        </button>
        <span className="muted">
          {!check.current
            ? "Checking…"
            : errorCount > 0
              ? `${errorCount} problem${errorCount === 1 ? "" : "s"} to fix`
              : check.data?.unchanged
                ? "No unsaved changes"
                : "Saving makes it live as a new revision"}
        </span>
      </div>
    </>
  );
}
