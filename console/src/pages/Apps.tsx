import { useState } from "react";
import { ApiError, saveResource } from "../api/client";
import { useConfig, useDraftCheck, useInvalidateAll } from "../api/hooks";
import type { App, Config, DraftCheck, WriteResult } from "../api/types";
import { Card, Empty, ErrorAlert } from "../components/bits";
import { FieldProblems, LinesField, problemsAt, TextField } from "../components/fields";
import { useUnsavedGuard } from "../components/unsaved";
import { Link, useRouter } from "../router";
import { corsSourceOf } from "./cors-source";

/** The CORS policies whose APIs the application may call: each admits its JavaScript origins. */
function admittingPolicies(app: App, config: Config | undefined): string[] {
  const names = new Set<string>();
  for (const api of config?.apis ?? []) {
    if (!(app.apis ?? []).includes(api.name)) continue;
    const s = corsSourceOf(api, config);
    const policy =
      api.corsPolicy ??
      (s.kind === "group" ? config?.groups?.find((g) => g.name === api.group)?.corsPolicy : undefined);
    if (policy) names.add(policy);
  }
  return [...names].sort();
}

interface AppForm {
  name: string;
  origins: string[];
  apis: string[];
}

function appOf(f: AppForm, base: App | undefined): App {
  const a: App = { ...(base ?? {}), name: f.name.trim() };
  if (f.origins.length > 0 || base?.javascriptOrigins !== undefined) a.javascriptOrigins = f.origins;
  else delete a.javascriptOrigins;
  if (f.apis.length > 0 || base?.apis !== undefined) a.apis = f.apis;
  else delete a.apis;
  return a;
}

function AppEditor({
  base,
  revision,
  config,
  onDone,
}: {
  base: App | undefined;
  revision: number | undefined;
  config: Config | undefined;
  onDone: (message: string, key?: string) => void;
}) {
  const invalidate = useInvalidateAll();
  const [form, setForm] = useState<AppForm>({
    name: base?.name ?? "",
    origins: base?.javascriptOrigins ?? [],
    apis: base?.apis ?? [],
  });
  const [error, setError] = useState<unknown>();
  const draft = appOf(form, base);
  const check = useDraftCheck<DraftCheck>("/preview/apps", {
    item: draft,
    ...(base ? { replaces: base.name } : {}),
  });
  const problems = check.data?.problems ?? [];
  const guard = useUnsavedGuard(base ? check.current && check.data?.unchanged === false : form.name !== "");
  const set =
    <K extends keyof AppForm>(k: K) =>
    (v: AppForm[K]) =>
      setForm((f) => ({ ...f, [k]: v }));
  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(undefined);
    if (base && check.current && check.data?.unchanged)
      return onDone("No changes: nothing was saved and no revision was made.");
    try {
      const a = await saveResource<WriteResult>("/apps", draft, base?.name, revision);
      await invalidate();
      onDone(`Saved application ${draft.name}: revision #${a.data.revision} is live.`, a.data.apiKey);
    } catch (err) {
      setError(
        err instanceof ApiError && err.code === "STALE_REVISION"
          ? new ApiError(
              412,
              err.code,
              `Not saved: the configuration moved on to revision #${err.current}; your edits are kept. Close and reopen to compare, then save again.`,
            )
          : err,
      );
    }
  };
  const apis = config?.apis ?? [];
  return (
    <Card title={base ? `Application ${base.name}` : "New application"}>
      {guard}
      <form className="form" onSubmit={save} aria-label="Application">
        <TextField
          label="Name"
          value={form.name}
          onChange={set("name")}
          problems={problemsAt(problems, "name")}
        />
        <LinesField
          label="JavaScript origins"
          value={form.origins}
          onChange={set("origins")}
          rows={3}
          placeholder="http://test2.com"
          problems={problemsAt(problems, "javascriptOrigins")}
          help="Origins of this application's pages, one per line: every CORS policy of the APIs it may call admits them (validated like a policy's origins)."
        />
        <fieldset>
          <legend>Authorized APIs</legend>
          {apis.length === 0 ? <p className="muted">No API yet.</p> : null}
          <div className="checks">
            {apis.map((api) => (
              <label key={api.name} className="check">
                <input
                  type="checkbox"
                  checked={form.apis.includes(api.name)}
                  onChange={(e) =>
                    set("apis")(
                      e.target.checked ? [...form.apis, api.name] : form.apis.filter((n) => n !== api.name),
                    )
                  }
                />{" "}
                {api.name}{" "}
                <code className="muted">
                  {api.method} {api.path}
                </code>
              </label>
            ))}
          </div>
          <FieldProblems id="app-apis-problems" problems={problemsAt(problems, "apis")} />
        </fieldset>
        {base ? null : (
          <p className="help">
            A new application gets one API key, shown once after saving (crossgate stores only its hash).
          </p>
        )}
        <ErrorAlert error={error} />
        <div className="row">
          <button type="submit" className="primary">
            Save
          </button>
          <button type="button" onClick={() => onDone("")}>
            Close
          </button>
        </div>
      </form>
    </Card>
  );
}

export default function Apps({ selected }: { selected?: string }) {
  const config = useConfig();
  const { navigate } = useRouter();
  const [editing, setEditing] = useState<string | null | undefined>(selected);
  const [message, setMessage] = useState("");
  const [newKey, setNewKey] = useState<string | undefined>();
  const cfg = config.data?.config;
  const apps = cfg?.apps ?? [];
  return (
    <>
      <div className="page-head row">
        <h1>Applications</h1>
        <button
          type="button"
          className="primary"
          onClick={() => {
            setEditing(null);
            setNewKey(undefined);
          }}
        >
          New application
        </button>
      </div>
      <ErrorAlert error={config.error} />
      {message ? (
        <p role="status" className="ok-box">
          {message}
        </p>
      ) : null}
      {newKey ? (
        <section className="card key-once" aria-label="New API key">
          <h2>API key, shown once</h2>
          <p>
            Copy it now: crossgate keeps only its hash and cannot show it again. Clients send it in{" "}
            <code>X-Api-Key</code>.
          </p>
          <div className="row">
            <input
              aria-label="New API key"
              readOnly
              value={newKey}
              onFocus={(e) => e.target.select()}
              className="grow mono"
            />
            <button type="button" onClick={() => void navigator.clipboard?.writeText(newKey)}>
              Copy
            </button>
            <button type="button" onClick={() => setNewKey(undefined)}>
              I have copied it
            </button>
          </div>
        </section>
      ) : null}
      {editing !== undefined && config.data ? (
        <AppEditor
          key={editing ?? "(new)"}
          base={apps.find((a) => a.name === editing)}
          revision={config.data.revision}
          config={cfg}
          onDone={(m, key) => {
            setEditing(undefined);
            setMessage(m);
            setNewKey(key);
            if (selected) void navigate("/apps", { replace: true });
          }}
        />
      ) : null}
      {apps.length === 0 ? (
        <Empty>
          No application yet. An application holds API keys, the APIs it may call, and the JavaScript origins
          of its pages.
        </Empty>
      ) : (
        <table>
          <caption className="sr-only">Applications</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">JavaScript origins</th>
              <th scope="col">APIs</th>
              <th scope="col">Admitted by policies</th>
              <th scope="col">Keys</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {apps.map((a) => (
              <tr key={a.name}>
                <th scope="row">{a.name}</th>
                <td>
                  <code>{(a.javascriptOrigins ?? []).join(", ") || "—"}</code>
                </td>
                <td>{(a.apis ?? []).join(", ") || "—"}</td>
                <td>
                  {admittingPolicies(a, cfg).map((p, i) => (
                    <span key={p}>
                      {i > 0 ? ", " : ""}
                      <Link to={`/cors-policies/${encodeURIComponent(p)}`}>{p}</Link>
                    </span>
                  ))}
                  {admittingPolicies(a, cfg).length === 0 ? "—" : null}
                </td>
                <td>{(a.keyHashes ?? []).length}</td>
                <td>
                  <button
                    type="button"
                    onClick={() => {
                      setEditing(a.name);
                      setNewKey(undefined);
                    }}
                    aria-label={`Edit application ${a.name}`}
                  >
                    Edit
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
