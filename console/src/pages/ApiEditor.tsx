import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { ApiError, call, type Problem, saveResource } from "../api/client";
import { useConfig, useDraftCheck, useInvalidateAll } from "../api/hooks";
import { type Api, type DraftCheck, METHODS, type Method, type Status, type WriteResult } from "../api/types";
import { Card, DiffView, ErrorAlert } from "../components/bits";
import {
  CheckboxField,
  LinesField,
  NumberField,
  problemsAt,
  SelectField,
  TextArea,
  TextField,
} from "../components/fields";
import { SaveBar } from "../components/save-bar";
import { isEdited, useUnsavedGuard } from "../components/unsaved";
import { Link, setFlash, takeFlash, useRouter } from "../router";
import { ApiTest } from "./ApiTest";
import { type ApiForm, apiOf, formOf, samplePath } from "./api-form";
import { relativeProblems } from "./policy-form";

function quote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export default function ApiEditor({ name }: { name?: string }) {
  const creating = name === undefined;
  const { navigate } = useRouter();
  const invalidate = useInvalidateAll();
  const config = useConfig();
  const status = useQuery({
    queryKey: ["status"],
    queryFn: async () => (await call<Status>("/status")).data,
  });
  const loaded = useQuery({
    queryKey: ["apis", name ?? "(new)"],
    enabled: !creating,
    queryFn: async () => {
      const a = await call<Api>(`/apis/${encodeURIComponent(name as string)}`);
      return { api: a.data, revision: a.revision };
    },
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
  });
  const [base, setBase] = useState<{ api: Api | undefined; revision: number | undefined } | undefined>(
    creating ? { api: undefined, revision: undefined } : undefined,
  );
  const [form, setForm] = useState<ApiForm>(formOf(undefined));
  useEffect(() => {
    if (!creating && loaded.data && base === undefined) {
      setBase(loaded.data);
      setForm(formOf(loaded.data.api));
    }
  }, [creating, loaded.data, base]);
  const [tab, setTab] = useState<"definition" | "test">("definition");
  const [saveError, setSaveError] = useState<unknown>();
  const [serverProblems, setServerProblems] = useState<Problem[] | undefined>();
  const [saved, setSaved] = useState<string | undefined>(takeFlash);
  const [busy, setBusy] = useState(false);

  const draft = useMemo(() => apiOf(form, base?.api), [form, base]);
  const check = useDraftCheck<DraftCheck>(
    "/preview/apis",
    { item: draft, ...(base?.api ? { replaces: base.api.name } : {}) },
    base !== undefined,
  );
  const problems = check.current || !serverProblems ? (check.data?.problems ?? []) : serverProblems;
  const errors = problems.filter((p) => p.severity === "error");
  const asLoaded = useMemo(() => apiOf(formOf(base?.api), base?.api), [base]);
  const dirty = base !== undefined && (creating ? form.name !== "" : isEdited(draft, asLoaded, check));
  const guard = useUnsavedGuard(dirty && !busy);
  const set =
    <K extends keyof ApiForm>(key: K) =>
    (value: ApiForm[K]) => {
      setForm((f) => ({ ...f, [key]: value }));
      setSaved(undefined);
      setServerProblems(undefined);
    };
  const cfg = config.data?.config;
  const policies = cfg?.corsPolicies ?? [];
  const groups = cfg?.groups ?? [];

  const save = async () => {
    setSaveError(undefined);
    setSaved(undefined);
    if (!creating && check.current && check.data?.unchanged) {
      setSaved("No changes: nothing was saved and no revision was made.");
      return;
    }
    if (check.current && errors.length > 0) {
      setSaveError(
        new ApiError(
          400,
          "CONFIG_INVALID",
          `Not saved: fix the ${errors.length} problem${errors.length === 1 ? "" : "s"} marked in the form.`,
        ),
      );
      return;
    }
    setBusy(true);
    try {
      const answer = await saveResource<WriteResult>(
        "/apis",
        draft,
        creating ? undefined : (base?.api?.name ?? draft.name),
        base?.revision,
      );
      setBase({ api: draft, revision: answer.data.revision });
      const message = `Saved: revision #${answer.data.revision} is live.`;
      if (creating) {
        // The message is shown by the new resource's page, once it is there.
        setFlash(message);
        await navigate(`/apis/${encodeURIComponent(draft.name)}`, { replace: true });
      } else {
        setSaved(message);
      }
      void invalidate();
    } catch (error) {
      if (error instanceof ApiError && error.problems.length > 0)
        setServerProblems(relativeProblems(error.problems, "apis"));
      setSaveError(
        error instanceof ApiError && error.code === "STALE_REVISION"
          ? new ApiError(
              412,
              error.code,
              `Not saved: the configuration moved on to revision #${error.current} while you were editing. Your edits are kept: reload the API in another tab to compare, then save again.`,
            )
          : error,
      );
      if (error instanceof ApiError && error.code === "STALE_REVISION" && base)
        setBase({ ...base, revision: error.current });
    } finally {
      setBusy(false);
    }
  };

  if (!creating && loaded.error) return <ErrorAlert error={loaded.error} />;
  if (base === undefined) return <p className="muted">Loading…</p>;
  const gateway = status.data?.node.gatewayUrl ?? "http://127.0.0.1:8080";
  const group = groups.find((g) => g.name === form.group);
  const host = group?.domains?.find((d) => !d.startsWith("*."));
  const testMethod = form.method === "ANY" ? "GET" : form.method;
  const curl = [
    "curl -i",
    testMethod !== "GET" ? `-X ${quote(testMethod)}` : "",
    host ? `-H ${quote(`Host: ${host}`)}` : "",
    `-H ${quote("Origin: https://app.example.com")}`,
    quote(`${gateway}${group?.basePath?.replace(/\/$/, "") ?? ""}${samplePath(form.path)}`),
  ]
    .filter(Boolean)
    .join(" ");

  return (
    <>
      {guard}
      <div className="page-head">
        <p className="crumbs">
          <Link to="/apis">APIs</Link> /
        </p>
        <h1>{creating ? "New API" : `API ${base.api?.name ?? name}`}</h1>
      </div>
      <div role="tablist" aria-label="API" className="tabs">
        <button
          type="button"
          role="tab"
          id="tab-definition"
          aria-controls="panel-definition"
          aria-selected={tab === "definition"}
          tabIndex={tab === "definition" ? 0 : -1}
          onClick={() => setTab("definition")}
        >
          Definition
        </button>
        <button
          type="button"
          role="tab"
          id="tab-test"
          aria-controls="panel-test"
          aria-selected={tab === "test"}
          tabIndex={tab === "test" ? 0 : -1}
          onClick={() => setTab("test")}
          onKeyDown={(e) => {
            if (e.key === "ArrowLeft") setTab("definition");
          }}
        >
          Test
        </button>
      </div>
      {tab === "test" ? (
        <div role="tabpanel" id="panel-test" aria-labelledby="tab-test">
          {base.api ? (
            <>
              {dirty ? (
                <p className="alert">The test uses the saved API; save your changes first to test them.</p>
              ) : null}
              {status.data && cfg ? (
                <ApiTest api={base.api} config={cfg} gatewayUrl={status.data.node.gatewayUrl} />
              ) : (
                <p className="muted">Loading…</p>
              )}
            </>
          ) : (
            <p className="muted">Save the API first: the test goes through the live gateway.</p>
          )}
        </div>
      ) : (
        <div role="tabpanel" id="panel-definition" aria-labelledby="tab-definition" className="editor">
          <form
            className="form"
            aria-label="API definition"
            onSubmit={(e) => {
              e.preventDefault();
              void save();
            }}
          >
            <fieldset>
              <legend>Frontend</legend>
              <TextField
                label="Name"
                value={form.name}
                onChange={set("name")}
                problems={problemsAt(problems, "name").concat(problems.filter((p) => p.path === ""))}
              />
              <TextField
                label="Description"
                value={form.description}
                onChange={set("description")}
                problems={problemsAt(problems, "description")}
              />
              <SelectField
                label="Group"
                value={form.group}
                onChange={set("group")}
                options={[
                  { value: "", label: "(none: any host)" },
                  ...groups.map((g) => ({ value: g.name, label: g.name })),
                ]}
                problems={problemsAt(problems, "group")}
              />
              <SelectField
                label="Method"
                value={form.method}
                onChange={(v: Method) => set("method")(v)}
                options={METHODS.map((m) => ({ value: m, label: m }))}
                problems={problemsAt(problems, "method")}
              />
              <TextField
                label="Path"
                value={form.path}
                onChange={set("path")}
                problems={problemsAt(problems, "path")}
                help={
                  <>
                    e.g. <code>/users/{"{id}"}</code> or <code>/files/{"{rest+}"}</code>
                    {group?.basePath ? (
                      <>
                        , under the group's base path <code>{group.basePath}</code>
                      </>
                    ) : null}
                  </>
                }
              />
              <SelectField
                label="Match"
                value={form.match}
                onChange={set("match")}
                options={[
                  { value: "exact", label: "exact" },
                  { value: "prefix", label: "prefix" },
                ]}
                problems={problemsAt(problems, "match")}
              />
            </fieldset>
            <fieldset>
              <legend>Security</legend>
              <SelectField
                label="Auth"
                value={form.auth}
                onChange={set("auth")}
                options={[
                  { value: "none", label: "none" },
                  { value: "app", label: "app: API keys of authorized applications" },
                ]}
                problems={problemsAt(problems, "auth")}
              />
              <CheckboxField
                label="CORS toggle"
                checked={form.cors}
                onChange={set("cors")}
                problems={problemsAt(problems, "cors")}
                help="The permissive profile (Access-Control-Allow-Origin: *). The gateway answers preflights itself: no separate OPTIONS API is needed. A policy wins over the toggle."
              />
              <SelectField
                label="CORS policy"
                value={form.corsPolicy}
                onChange={set("corsPolicy")}
                options={[
                  { value: "", label: "(none)" },
                  ...policies.map((p) => ({ value: p.name, label: p.name })),
                ]}
                problems={problemsAt(problems, "corsPolicy")}
              />
            </fieldset>
            <fieldset>
              <legend>Backend</legend>
              <SelectField
                label="Backend type"
                value={form.backendType}
                onChange={set("backendType")}
                options={[
                  { value: "mock", label: "mock: a static response" },
                  { value: "http", label: "http: proxy to a URL" },
                  { value: "function", label: "function: a JavaScript handler" },
                ]}
                problems={problemsAt(problems, "backend.type")}
              />
              {form.backendType === "mock" ? (
                <>
                  <NumberField
                    label="Status"
                    value={form.status}
                    onChange={set("status")}
                    min={100}
                    max={599}
                    problems={problemsAt(problems, "backend.status")}
                  />
                  <LinesField
                    label="Response headers"
                    value={form.headers}
                    onChange={set("headers")}
                    rows={2}
                    placeholder="Content-Type: application/json"
                    problems={problemsAt(problems, "backend.headers")}
                    help="One Name: value per line."
                  />
                  <TextArea
                    label="Body"
                    value={form.body}
                    onChange={set("body")}
                    rows={3}
                    problems={problemsAt(problems, "backend.body")}
                  />
                </>
              ) : form.backendType === "http" ? (
                <TextField
                  label="URL"
                  value={form.url}
                  onChange={set("url")}
                  placeholder="http://127.0.0.1:3000"
                  problems={problemsAt(problems, "backend.url").concat(problemsAt(problems, "backend"))}
                />
              ) : (
                <TextField
                  label="Module"
                  value={form.module}
                  onChange={set("module")}
                  placeholder="./handlers/hello.mjs"
                  problems={problemsAt(problems, "backend.module").concat(problemsAt(problems, "backend"))}
                />
              )}
            </fieldset>
            <SaveBar
              saveError={saveError}
              saved={saved}
              busy={busy}
              check={check}
              errorCount={errors.length}
            />
          </form>
          <aside className="side">
            {check.data && check.data.elsewhere.length > 0 ? (
              <Card title="Elsewhere">
                <ul className="findings">
                  {check.data.elsewhere.map((p) => (
                    <li key={`${p.path}:${p.code}`}>
                      <code>{p.path}</code> {p.reason}
                    </li>
                  ))}
                </ul>
              </Card>
            ) : null}
            <Card title="Changes">
              <DiffView lines={check.data?.changes ?? []} label="Changes against the saved API" />
            </Card>
            <Card title="YAML">
              {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling block must be reachable with the keyboard to scroll it */}
              <pre className="yaml" title={"The API as YAML"} tabIndex={0}>
                {check.data?.yaml ?? ""}
              </pre>
            </Card>
            <Card title="curl">
              {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling block must be reachable with the keyboard to scroll it */}
              <pre className="yaml" title={"A curl command for this API"} tabIndex={0}>
                {curl}
              </pre>
            </Card>
          </aside>
        </div>
      )}
    </>
  );
}
