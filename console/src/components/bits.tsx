import type { ReactNode } from "react";
import type { DiffLine, TraceStep } from "../api/types";

/** Response or request headers as a table: name, value, one row per header line. */
export function HeadersTable({
  headers,
  caption,
}: {
  headers: readonly (readonly [string, string])[];
  caption: string;
}) {
  return (
    <table className="headers">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Header</th>
          <th scope="col">Value</th>
        </tr>
      </thead>
      <tbody>
        {headers.length === 0 ? (
          <tr>
            <td colSpan={2} className="muted">
              (none)
            </td>
          </tr>
        ) : (
          headers.map(([k, v], i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a header may repeat; the order is the identity
            <tr key={i}>
              <th scope="row">
                <code>{titleCase(k)}</code>
              </th>
              <td>
                <code>{v}</code>
              </td>
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}

export function titleCase(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => `${dash}${c.toUpperCase()}`);
}

const MARK: Record<string, string> = { pass: "✔", fail: "✘", skip: "–", info: "ℹ" };

export function Trace({ steps }: { steps: readonly TraceStep[] }) {
  return (
    <ol className="trace">
      {steps.map((s, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the trace is ordered and never reordered
        <li key={i} className={`trace-${s.verdict}`}>
          <span aria-hidden="true" className="mark">
            {MARK[s.verdict]}
          </span>
          <span className="sr-only">{s.verdict}: </span>
          <strong>{s.check}</strong> {s.detail}
        </li>
      ))}
    </ol>
  );
}

export function DiffView({ lines, label }: { lines: readonly DiffLine[]; label: string }) {
  if (lines.length === 0) return <p className="muted">No changes.</p>;
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling block must be reachable with the keyboard to scroll it
    <pre className="diff" title={label} tabIndex={0}>
      {lines.map((l, i) =>
        l.op === "…" ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: lines of one diff, in order
          <span key={i} className="diff-gap">
            {`  … ${l.skipped} unchanged line${l.skipped === 1 ? "" : "s"}\n`}
          </span>
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: lines of one diff, in order
          <span key={i} className={l.op === "+" ? "diff-add" : l.op === "-" ? "diff-del" : "diff-same"}>
            <span className="sr-only">{l.op === "+" ? "added: " : l.op === "-" ? "removed: " : ""}</span>
            {`${l.op} ${l.text ?? ""}\n`}
          </span>
        ),
      )}
    </pre>
  );
}

export function Chip({ kind, children }: { kind: string; children: ReactNode }) {
  return <span className={`chip chip-${kind}`}>{children}</span>;
}

export function Card({
  title,
  children,
  actions,
}: {
  title: string;
  children: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <section className="card" aria-label={title}>
      <header className="card-head">
        <h2>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/** A refusal or failure of an admin call, with the problems it listed. */
export function ErrorAlert({ error }: { error: unknown }) {
  if (!error) return null;
  const e = error as { message?: string; code?: string; problems?: { path: string; reason: string }[] };
  return (
    <div role="alert" className="alert">
      <p>
        {e.code ? <code>{e.code}</code> : null} {e.message ?? String(error)}
      </p>
      {e.problems && e.problems.length > 0 ? (
        <ul>
          {e.problems.map((p) => (
            <li key={`${p.path}:${p.reason}`}>
              <code>{p.path || "(root)"}</code>: {p.reason}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function formatTime(iso: string | number): string {
  const d = new Date(iso);
  return d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}
