import { type ReactNode, useEffect, useId, useState } from "react";
import type { Problem } from "../api/client";

/**
 * Labelled form controls. Each shows the problems found at its path next to it (errors and lint
 * warnings, as the admin API reports them while the user types), linked with aria-describedby.
 */

/** The problems whose path is one of `paths` or under it (`allowOrigins` takes `allowOrigins[2]`). */
export function problemsAt(problems: readonly Problem[] | undefined, ...paths: string[]): Problem[] {
  if (!problems) return [];
  return problems.filter((p) =>
    paths.some((path) => p.path === path || p.path.startsWith(`${path}[`) || p.path.startsWith(`${path}.`)),
  );
}

export function FieldProblems({ id, problems }: { id: string; problems: readonly Problem[] }) {
  if (problems.length === 0) return null;
  return (
    <ul id={id} className="field-problems">
      {problems.map((p) => (
        <li key={`${p.path}:${p.code}:${p.reason}`} className={p.severity === "error" ? "error" : "warning"}>
          <span className="sr-only">{p.severity === "error" ? "Error: " : "Warning: "}</span>
          {p.path.includes("[") ? <code>{p.path.replace(/^[^[]*/, "")}</code> : null} {p.reason}
          {p.value !== undefined && typeof p.value !== "object" ? (
            <>
              {" "}
              (<code>{String(p.value)}</code>)
            </>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

interface Common {
  label: string;
  help?: ReactNode;
  problems?: readonly Problem[];
}

function useIds(problems: readonly Problem[] | undefined, help: ReactNode) {
  const id = useId();
  const errorId = `${id}-problems`;
  const helpId = `${id}-help`;
  const describedBy = [problems && problems.length > 0 ? errorId : "", help ? helpId : ""]
    .filter(Boolean)
    .join(" ");
  const invalid = (problems ?? []).some((p) => p.severity === "error");
  return { id, errorId, helpId, describedBy: describedBy || undefined, invalid };
}

export function TextField({
  label,
  help,
  problems,
  value,
  onChange,
  type = "text",
  placeholder,
  autoComplete,
  required,
}: Common & {
  value: string;
  onChange: (v: string) => void;
  type?: string;
  placeholder?: string;
  autoComplete?: string;
  required?: boolean;
}) {
  const ids = useIds(problems, help);
  return (
    <div className="field">
      <label htmlFor={ids.id}>{label}</label>
      <input
        id={ids.id}
        type={type}
        value={value}
        placeholder={placeholder}
        autoComplete={autoComplete ?? "off"}
        spellCheck={false}
        required={required}
        aria-invalid={ids.invalid || undefined}
        aria-describedby={ids.describedBy}
        onChange={(e) => onChange(e.target.value)}
      />
      {help ? (
        <p id={ids.helpId} className="help">
          {help}
        </p>
      ) : null}
      <FieldProblems id={ids.errorId} problems={problems ?? []} />
    </div>
  );
}

export function NumberField({
  label,
  help,
  problems,
  value,
  onChange,
  min,
  max,
}: Common & {
  value: number | undefined;
  onChange: (v: number | undefined) => void;
  min?: number;
  max?: number;
}) {
  const ids = useIds(problems, help);
  const [text, setText] = useState(value === undefined ? "" : String(value));
  // The text follows a new value in the same render (an effect would show the old text for a frame,
  // e.g. right after a merge): kept as typed while it still means the value ("1e2", "007", "").
  const [shown, setShown] = useState(value);
  if (shown !== value) {
    setShown(value);
    const same = (text.trim() === "" && value === undefined) || Number(text) === value;
    if (!same) setText(value === undefined ? "" : String(value));
  }
  return (
    <div className="field">
      <label htmlFor={ids.id}>{label}</label>
      <input
        id={ids.id}
        type="number"
        inputMode="numeric"
        value={text}
        min={min}
        max={max}
        aria-invalid={ids.invalid || undefined}
        aria-describedby={ids.describedBy}
        onChange={(e) => {
          setText(e.target.value);
          const t = e.target.value.trim();
          onChange(t === "" || Number.isNaN(Number(t)) ? undefined : Number(t));
        }}
      />
      {help ? (
        <p id={ids.helpId} className="help">
          {help}
        </p>
      ) : null}
      <FieldProblems id={ids.errorId} problems={problems ?? []} />
    </div>
  );
}

/** Splits a multi-line field into its entries: one per line, trimmed, blank lines ignored. */
export function linesOf(text: string): string[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
}

/** A multi-line field with one entry per line. Keeps the text as typed (blank lines included). */
export function LinesField({
  label,
  help,
  problems,
  value,
  onChange,
  rows = 4,
  placeholder,
}: Common & {
  value: readonly string[];
  onChange: (v: string[]) => void;
  rows?: number;
  placeholder?: string;
}) {
  const ids = useIds(problems, help);
  const [text, setText] = useState(value.join("\n"));
  useEffect(() => {
    setText((t) => (linesOf(t).join("\n") === value.join("\n") ? t : value.join("\n")));
  }, [value]);
  return (
    <div className="field">
      <label htmlFor={ids.id}>{label}</label>
      <textarea
        id={ids.id}
        rows={rows}
        value={text}
        placeholder={placeholder}
        spellCheck={false}
        aria-invalid={ids.invalid || undefined}
        aria-describedby={ids.describedBy}
        onChange={(e) => {
          setText(e.target.value);
          onChange(linesOf(e.target.value));
        }}
      />
      {help ? (
        <p id={ids.helpId} className="help">
          {help}
        </p>
      ) : null}
      <FieldProblems id={ids.errorId} problems={problems ?? []} />
    </div>
  );
}

export function TextArea({
  label,
  help,
  problems,
  value,
  onChange,
  rows = 4,
  placeholder,
}: Common & { value: string; onChange: (v: string) => void; rows?: number; placeholder?: string }) {
  const ids = useIds(problems, help);
  return (
    <div className="field">
      <label htmlFor={ids.id}>{label}</label>
      <textarea
        id={ids.id}
        rows={rows}
        value={value}
        placeholder={placeholder}
        spellCheck={false}
        aria-invalid={ids.invalid || undefined}
        aria-describedby={ids.describedBy}
        onChange={(e) => onChange(e.target.value)}
      />
      {help ? (
        <p id={ids.helpId} className="help">
          {help}
        </p>
      ) : null}
      <FieldProblems id={ids.errorId} problems={problems ?? []} />
    </div>
  );
}

export function CheckboxField({
  label,
  help,
  problems,
  checked,
  onChange,
}: Common & { checked: boolean; onChange: (v: boolean) => void }) {
  const ids = useIds(problems, help);
  return (
    <div className="field checkbox">
      <input
        id={ids.id}
        type="checkbox"
        checked={checked}
        aria-invalid={ids.invalid || undefined}
        aria-describedby={ids.describedBy}
        onChange={(e) => onChange(e.target.checked)}
      />
      <label htmlFor={ids.id}>{label}</label>
      {help ? (
        <p id={ids.helpId} className="help">
          {help}
        </p>
      ) : null}
      <FieldProblems id={ids.errorId} problems={problems ?? []} />
    </div>
  );
}

export function SelectField<V extends string>({
  label,
  help,
  problems,
  value,
  onChange,
  options,
}: Common & {
  value: V;
  onChange: (v: V) => void;
  options: readonly { value: V; label: string }[];
}) {
  const ids = useIds(problems, help);
  return (
    <div className="field">
      <label htmlFor={ids.id}>{label}</label>
      <select
        id={ids.id}
        value={value}
        aria-invalid={ids.invalid || undefined}
        aria-describedby={ids.describedBy}
        onChange={(e) => onChange(e.target.value as V)}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {help ? (
        <p id={ids.helpId} className="help">
          {help}
        </p>
      ) : null}
      <FieldProblems id={ids.errorId} problems={problems ?? []} />
    </div>
  );
}
