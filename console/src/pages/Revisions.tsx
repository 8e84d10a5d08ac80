import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { ApiError, call } from "../api/client";
import { useInvalidateAll } from "../api/hooks";
import type { DiffLine, RevisionMeta, WriteResult } from "../api/types";
import { Card, DiffView, Empty, ErrorAlert, formatTime } from "../components/bits";
import { Dialog } from "../components/Dialog";

export default function Revisions() {
  const invalidate = useInvalidateAll();
  const list = useQuery({
    queryKey: ["revisions"],
    queryFn: async () => {
      const a = await call<{ revisions: RevisionMeta[]; next?: number }>("/revisions?limit=100");
      return { revisions: a.data.revisions, head: a.revision };
    },
  });
  const [selected, setSelected] = useState<number | undefined>();
  const diff = useQuery({
    queryKey: ["revision-lines", selected, list.data?.head],
    enabled: selected !== undefined,
    queryFn: async () =>
      (await call<{ from: number; to: number; lines: DiffLine[] }>(`/revisions/${selected}/lines`)).data,
  });
  const [confirming, setConfirming] = useState<number | undefined>();
  const [message, setMessage] = useState("");
  const [error, setError] = useState<unknown>();

  const restore = async (n: number) => {
    setConfirming(undefined);
    setError(undefined);
    try {
      const a = await call<WriteResult>(`/revisions/${n}/restore`, {
        method: "POST",
        ...(list.data?.head !== undefined ? { ifMatch: list.data.head } : {}),
      });
      setMessage(`Restored revision #${n}: it is live as revision #${a.data.revision}.`);
      setSelected(undefined);
      await invalidate();
    } catch (err) {
      if (err instanceof ApiError && err.code === "STALE_REVISION") {
        setError(
          new ApiError(
            412,
            err.code,
            `Nothing was restored: the configuration moved on to revision #${err.current} since this list was loaded (at #${list.data?.head}). Someone else changed it meanwhile; the list now shows their revision: review it, then restore again if you still want to.`,
          ),
        );
        await invalidate();
      } else setError(err);
    }
  };

  const revisions = list.data?.revisions ?? [];
  return (
    <>
      <div className="page-head">
        <h1>Revisions</h1>
        <p className="muted">
          Every change is a numbered revision. Restoring one makes its configuration live again as a new
          revision: there is no separate deploy step.
        </p>
      </div>
      <ErrorAlert error={list.error ?? error} />
      {message ? (
        <p role="status" className="ok-box">
          {message}
        </p>
      ) : null}
      {confirming !== undefined ? (
        <Dialog
          title={`Restore revision #${confirming}?`}
          onCancel={() => setConfirming(undefined)}
          actions={
            <>
              <button type="button" className="primary" onClick={() => void restore(confirming)}>
                Restore
              </button>
              <button type="button" data-autofocus onClick={() => setConfirming(undefined)}>
                Cancel
              </button>
            </>
          }
        >
          <p>
            The configuration of revision #{confirming} replaces the current one (#{list.data?.head}) on every
            node within a second, as a new revision. Nothing is lost: the current configuration stays in the
            history.
          </p>
        </Dialog>
      ) : null}
      <div className="editor">
        <div>
          {revisions.length === 0 && !list.isLoading ? (
            <Empty>No revision yet (a configuration file keeps none).</Empty>
          ) : (
            <table>
              <caption className="sr-only">Revisions, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Revision</th>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">What</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {revisions.map((r) => (
                  <tr key={r.number} aria-selected={selected === r.number}>
                    <th scope="row">
                      #{r.number}
                      {r.number === list.data?.head ? <span className="chip chip-policy">live</span> : null}
                    </th>
                    <td>{formatTime(r.createdAt)}</td>
                    <td>{r.actor}</td>
                    <td>{r.summary}</td>
                    <td className="actions">
                      <button
                        type="button"
                        onClick={() => setSelected(r.number)}
                        aria-label={`Diff revision #${r.number} against the current configuration`}
                      >
                        Diff
                      </button>
                      <button
                        type="button"
                        onClick={() => setConfirming(r.number)}
                        aria-label={`Restore revision #${r.number}`}
                      >
                        Restore
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
        <aside className="side">
          <Card
            title={
              selected === undefined
                ? "Diff"
                : `Revision #${selected} → current (#${diff.data?.to ?? list.data?.head ?? "?"})`
            }
          >
            {selected === undefined ? (
              <p className="muted">Choose Diff on a revision to see what changed since, line by line.</p>
            ) : diff.error ? (
              <ErrorAlert error={diff.error} />
            ) : diff.data ? (
              <DiffView
                lines={diff.data.lines}
                label={`Diff of revision #${selected} against the current configuration`}
              />
            ) : (
              <p className="muted">Loading…</p>
            )}
          </Card>
        </aside>
      </div>
    </>
  );
}
