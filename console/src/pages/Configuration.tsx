import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { ApiError, call, type Problem } from "../api/client";
import { useDebounced, useInvalidateAll } from "../api/hooks";
import type { Config, ConfigDiff, WriteResult } from "../api/types";
import { Card, ErrorAlert } from "../components/bits";
import { CheckboxField, TextArea } from "../components/fields";
import { useUnsavedGuard } from "../components/unsaved";
import { YamlEditor, type YamlEditorHandle } from "./YamlEditor";

const KIND_LABEL: Record<string, string> = {
  groups: "group",
  apis: "API",
  "cors-policies": "CORS policy",
  apps: "application",
};

function DiffSummary({ diff }: { diff: ConfigDiff }) {
  if (diff.identical) return <p className="muted">No change against the configuration being served.</p>;
  const items: string[] = [];
  for (const [kind, d] of Object.entries(diff.resources)) {
    for (const n of d.added) items.push(`add ${KIND_LABEL[kind]} ${n}`);
    for (const c of d.changed) items.push(`change ${KIND_LABEL[kind]} ${c.name} (${c.fields.join(", ")})`);
    for (const n of d.removed) items.push(`remove ${KIND_LABEL[kind]} ${n}`);
  }
  for (const s of diff.settings) items.push(`set ${s.path}`);
  return (
    <ul className="changes">
      {items.map((i) => (
        <li key={i} className={i.startsWith("add") ? "diff-add" : i.startsWith("remove") ? "diff-del" : ""}>
          {i}
        </li>
      ))}
    </ul>
  );
}

function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

interface ImportPreview {
  source: string;
  imported: Config;
  config: Config;
  diff: ConfigDiff;
  valid: boolean;
  problems: Problem[];
  notes: string[];
  /** Function modules the imported APIs name: to create beside the gateway before applying. */
  stubs: string[];
}

function ImportOpenApi({
  revision,
  onApplied,
}: {
  revision: number | undefined;
  onApplied: (message: string) => void;
}) {
  const invalidate = useInvalidateAll();
  const [doc, setDoc] = useState("");
  const [keepOptionsMocks, setKeepOptionsMocks] = useState(false);
  const [preview, setPreview] = useState<ImportPreview | undefined>();
  const [error, setError] = useState<unknown>();
  const run = async () => {
    setError(undefined);
    setPreview(undefined);
    try {
      setPreview(
        (
          await call<ImportPreview>("/import/openapi", {
            method: "POST",
            body: { document: doc, keepOptionsMocks },
          })
        ).data,
      );
    } catch (e) {
      setError(e);
    }
  };
  const apply = async () => {
    if (!preview) return;
    setError(undefined);
    try {
      const a = await call<WriteResult>("/config", {
        method: "PUT",
        body: preview.config,
        ...(revision !== undefined ? { ifMatch: revision } : {}),
      });
      setPreview(undefined);
      setDoc("");
      await invalidate();
      onApplied(`Imported: revision #${a.data.revision} is live.`);
    } catch (e) {
      setError(
        e instanceof ApiError && e.code === "STALE_REVISION"
          ? new ApiError(
              412,
              e.code,
              `Not applied: the configuration moved on to revision #${e.current}. Preview the import again to merge into the new configuration.`,
            )
          : e,
      );
    }
  };
  return (
    <Card title="Import OpenAPI">
      <div className="form">
        <div className="field">
          <label htmlFor="openapi-file">OpenAPI file</label>
          <input
            id="openapi-file"
            type="file"
            accept=".yaml,.yml,.json"
            onChange={async (e) => {
              const file = e.target.files?.[0];
              if (file) setDoc(await file.text());
            }}
          />
        </div>
        <TextArea
          label="OpenAPI document"
          value={doc}
          onChange={setDoc}
          rows={8}
          placeholder="openapi: 3.0.1 …  (Swagger 2 too, with x-amazon-apigateway-* and x-apigateway-* extensions)"
        />
        <CheckboxField
          label="Keep Amazon's CORS mocks as OPTIONS APIs"
          checked={keepOptionsMocks}
          onChange={setKeepOptionsMocks}
          help="By default Amazon's enable-CORS OPTIONS mocks become CORS policies bound to their path's APIs, so the actual responses carry CORS too; check this to copy the mocks as they are."
        />
        <div className="row">
          <button type="button" onClick={() => void run()} disabled={doc.trim() === ""}>
            Preview import
          </button>
          {preview ? (
            <button type="button" className="primary" onClick={() => void apply()} disabled={!preview.valid}>
              Apply import
            </button>
          ) : null}
        </div>
        <ErrorAlert error={error} />
        {preview ? (
          <section aria-label="Import preview" className="preview">
            <p role="status" className={preview.valid ? "ok-box" : "alert"}>
              {preview.valid ? "Ready to apply" : "Cannot be applied"}:{" "}
              {preview.source === "swagger" ? "Swagger 2.0" : "OpenAPI 3"} document,{" "}
              {(preview.imported.apis ?? []).length} API(s), {(preview.imported.corsPolicies ?? []).length}{" "}
              CORS policy(ies).
            </p>
            <h3>What changes</h3>
            <DiffSummary diff={preview.diff} />
            {preview.problems.length > 0 ? (
              <>
                <h3>Problems</h3>
                <ul className="findings">
                  {preview.problems.map((p) => (
                    <li key={`${p.path}:${p.code}`} className={p.severity}>
                      <code>{p.path}</code> {p.reason}
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
            {preview.stubs.length > 0 ? (
              <>
                <h3>Function modules to create</h3>
                <p>
                  The imported Lambda or FunctionGraph functions become function backends: create these
                  modules beside the gateway before applying (<code>crossgate import</code> writes stubs
                  answering 501).
                </p>
                <ul className="notes">
                  {preview.stubs.map((m) => (
                    <li key={m}>
                      <code>{m}</code>
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
            {preview.notes.length > 0 ? (
              <>
                <h3>Notes</h3>
                <ul className="notes">
                  {preview.notes.map((n) => (
                    <li key={n}>{n}</li>
                  ))}
                </ul>
              </>
            ) : null}
          </section>
        ) : null}
      </div>
    </Card>
  );
}

export default function Configuration() {
  const invalidate = useInvalidateAll();
  const loaded = useQuery({
    queryKey: ["config-yaml"],
    queryFn: async () => {
      const a = await call<string>("/config", { accept: "application/yaml" });
      return { text: a.data, revision: a.revision };
    },
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
  });
  const [text, setText] = useState<string | undefined>();
  const [base, setBase] = useState<{ text: string; revision: number | undefined } | undefined>();
  useEffect(() => {
    if (loaded.data && base === undefined) {
      setBase(loaded.data);
      setText(loaded.data.text);
    }
  }, [loaded.data, base]);
  const settled = useDebounced(text, 300);
  const check = useQuery({
    queryKey: ["config-check", settled],
    enabled: settled !== undefined,
    queryFn: async () =>
      (
        await call<{ valid: boolean; problems: Problem[]; diff?: ConfigDiff }>("/config/check", {
          method: "POST",
          body: { text: settled },
        })
      ).data,
    placeholderData: (previous) => previous,
  });
  const [error, setError] = useState<unknown>();
  const [message, setMessage] = useState("");
  const editor = useRef<YamlEditorHandle>(null);
  const dirty = base !== undefined && text !== undefined && text !== base.text;
  const guard = useUnsavedGuard(dirty);

  const apply = async () => {
    if (text === undefined) return;
    setError(undefined);
    setMessage("");
    if (check.data?.diff?.identical) {
      setMessage("No changes: nothing was applied and no revision was made.");
      return;
    }
    try {
      const a = await call<WriteResult>("/config", {
        method: "PUT",
        text: { body: text, type: "application/yaml" },
        ...(base?.revision !== undefined ? { ifMatch: base.revision } : {}),
      });
      const fresh = await call<string>("/config", { accept: "application/yaml" });
      setBase({ text: fresh.data, revision: fresh.revision });
      setText(fresh.data);
      setMessage(`Applied: revision #${a.data.revision} is live.`);
      await invalidate();
    } catch (e) {
      setError(
        e instanceof ApiError && e.code === "STALE_REVISION"
          ? new ApiError(
              412,
              e.code,
              `Not applied: someone changed the configuration (now revision #${e.current}) since you loaded it at #${base?.revision}. Your text is kept here; download it, reload, and apply your changes again.`,
            )
          : e,
      );
    }
  };
  const reload = async () => {
    const fresh = await call<string>("/config", { accept: "application/yaml" });
    setBase({ text: fresh.data, revision: fresh.revision });
    setText(fresh.data);
    setError(undefined);
  };
  const exportOpenApi = async () => {
    try {
      const a = await call<{ document: unknown; notes: string[] }>("/export/openapi");
      download("crossgate-openapi.json", "application/json", `${JSON.stringify(a.data.document, null, 2)}\n`);
    } catch (e) {
      setError(e);
    }
  };
  const problems = check.data?.problems ?? [];
  const errors = problems.filter((p) => p.severity === "error");
  return (
    <>
      {guard}
      <div className="page-head row">
        <h1>Configuration</h1>
        <div className="row">
          <button
            type="button"
            onClick={() => text !== undefined && download("crossgate.yaml", "application/yaml", text)}
          >
            Export YAML
          </button>
          <button type="button" onClick={() => void exportOpenApi()}>
            Export OpenAPI
          </button>
        </div>
      </div>
      <p className="muted">
        The whole configuration as YAML, checked against the JSON Schema and the CORS rules as you type.
        Applying it makes a new revision
        {base?.revision !== undefined ? ` (editing revision #${base.revision})` : ""}.
      </p>
      <ErrorAlert error={loaded.error ?? error} />
      {message ? (
        <p role="status" className="ok-box">
          {message}
        </p>
      ) : null}
      <div className="editor wide">
        <div>
          {text !== undefined ? (
            <YamlEditor
              ref={editor}
              value={text}
              onChange={setText}
              problems={problems}
              label="Configuration YAML"
            />
          ) : (
            <p className="muted">Loading…</p>
          )}
          <div className="row sticky-actions">
            <button type="button" className="primary" onClick={() => void apply()} disabled={!dirty}>
              Apply
            </button>
            <button type="button" onClick={() => void reload()}>
              Reload
            </button>
            <span className="muted">
              {errors.length > 0
                ? `${errors.length} problem${errors.length === 1 ? "" : "s"}`
                : check.data?.valid
                  ? "Valid"
                  : ""}
            </span>
          </div>
        </div>
        <aside className="side">
          <Card title="Problems">
            {problems.length === 0 ? (
              <p className="muted">No problems.</p>
            ) : (
              <ul className="findings">
                {problems.map((p) => (
                  <li key={`${p.path}:${p.code}:${p.line}`} className={p.severity}>
                    {p.line !== undefined ? (
                      <button
                        type="button"
                        className="link"
                        onClick={() => editor.current?.goTo(p.line as number, p.column)}
                      >
                        Line {p.line}
                      </button>
                    ) : null}{" "}
                    <code>{p.path || "(root)"}</code> {p.reason}
                  </li>
                ))}
              </ul>
            )}
          </Card>
          <Card title="Changes">
            {check.data?.diff ? <DiffSummary diff={check.data.diff} /> : <p className="muted">—</p>}
          </Card>
          <ImportOpenApi
            revision={base?.revision}
            onApplied={(m) => {
              setMessage(m);
              void reload();
            }}
          />
        </aside>
      </div>
    </>
  );
}
