import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { ApiError, call, type Problem, saveResource } from "../api/client";
import { useDraftCheck, useInvalidateAll } from "../api/hooks";
import type { CorsPolicy, DraftCheck, WriteResult } from "../api/types";
import { Card, DiffView, ErrorAlert, HeadersTable, Trace } from "../components/bits";
import {
  CheckboxField,
  LinesField,
  NumberField,
  problemsAt,
  SelectField,
  TextField,
} from "../components/fields";
import { SaveBar } from "../components/save-bar";
import { isEdited, mergeEdits, useUnsavedGuard } from "../components/unsaved";
import { Link, setFlash, takeFlash, useRouter } from "../router";
import { formOf, type PolicyForm, policyOf, relativeProblems } from "./policy-form";

interface Loaded {
  policy: CorsPolicy | undefined;
  revision: number | undefined;
}

function Conflict({
  current,
  theirs,
  onMerge,
  onDiscard,
}: {
  current: number | undefined;
  theirs: CorsPolicy | null | undefined;
  onMerge: () => void;
  onDiscard: () => void;
}) {
  return (
    <div role="alert" className="alert conflict">
      <h2>Not saved: the configuration changed while you were editing</h2>
      <p>
        Someone else saved a change (the configuration is now at revision <strong>#{current ?? "?"}</strong>),
        so your save was refused with <code>412 STALE_REVISION</code> instead of silently overwriting theirs.
        Nothing was lost: your edits are still in the form below.
      </p>
      {theirs === null ? (
        <p>This policy was deleted in the meantime: saving creates it again.</p>
      ) : (
        <p>
          <strong>Merge</strong> keeps every field you changed and takes their version of every other field;
          then review and save again.
        </p>
      )}
      <div className="row">
        <button type="button" className="primary" onClick={onMerge}>
          Merge my changes into theirs
        </button>
        <button type="button" onClick={onDiscard}>
          Discard mine and load theirs
        </button>
      </div>
    </div>
  );
}

export default function PolicyEditor({ name }: { name?: string }) {
  const creating = name === undefined;
  const { navigate } = useRouter();
  const invalidate = useInvalidateAll();
  const loaded = useQuery({
    queryKey: ["cors-policies", name ?? "(new)"],
    enabled: !creating,
    queryFn: async (): Promise<Loaded> => {
      const a = await call<CorsPolicy>(`/cors-policies/${encodeURIComponent(name as string)}`);
      return { policy: a.data, revision: a.revision };
    },
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
  });
  const [base, setBase] = useState<Loaded | undefined>(
    creating ? { policy: undefined, revision: undefined } : undefined,
  );
  const [form, setForm] = useState<PolicyForm>(formOf(undefined));
  useEffect(() => {
    if (!creating && loaded.data && base === undefined) {
      setBase(loaded.data);
      setForm(formOf(loaded.data.policy));
    }
  }, [creating, loaded.data, base]);

  const [testOrigin, setTestOrigin] = useState("");
  const [saveError, setSaveError] = useState<unknown>();
  const [serverProblems, setServerProblems] = useState<Problem[] | undefined>();
  const [conflict, setConflict] = useState<{
    current: number | undefined;
    theirs: CorsPolicy | null | undefined;
  }>();
  const [saved, setSaved] = useState<string | undefined>(takeFlash);
  const [busy, setBusy] = useState(false);

  const draft = useMemo(() => policyOf(form, base?.policy), [form, base]);
  const check = useDraftCheck<DraftCheck>(
    "/preview/cors-policies",
    {
      item: draft,
      ...(base?.policy ? { replaces: base.policy.name } : {}),
      ...(testOrigin.trim() !== "" ? { test: { origin: testOrigin.trim() } } : {}),
    },
    base !== undefined,
  );
  const problems = check.current || !serverProblems ? (check.data?.problems ?? []) : serverProblems;
  const errors = problems.filter((p) => p.severity === "error");
  const asLoaded = useMemo(() => policyOf(formOf(base?.policy), base?.policy), [base]);
  const dirty =
    base !== undefined &&
    (creating ? form.name !== "" || form.origins.length > 0 : isEdited(draft, asLoaded, check));
  const guard = useUnsavedGuard(dirty && !busy);
  const set =
    <K extends keyof PolicyForm>(key: K) =>
    (value: PolicyForm[K]) => {
      setForm((f) => ({ ...f, [key]: value }));
      setSaved(undefined);
      setServerProblems(undefined);
    };

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
        "/cors-policies",
        draft,
        creating ? undefined : (base?.policy?.name ?? draft.name),
        base?.revision,
      );
      setConflict(undefined);
      setBase({ policy: draft, revision: answer.data.revision });
      const message = `Saved: revision #${answer.data.revision} is live.`;
      if (creating) {
        // The message is shown by the new resource's page, once it is there.
        setFlash(message);
        await navigate(`/cors-policies/${encodeURIComponent(draft.name)}`, { replace: true });
      } else {
        setSaved(message);
      }
      void invalidate();
    } catch (error) {
      if (error instanceof ApiError && error.code === "STALE_REVISION") {
        let theirs: CorsPolicy | null | undefined;
        try {
          theirs = (await call<CorsPolicy>(`/cors-policies/${encodeURIComponent(draft.name)}`)).data;
        } catch (e) {
          theirs = e instanceof ApiError && e.status === 404 ? null : undefined;
        }
        setConflict({ current: error.current, theirs });
      } else {
        if (error instanceof ApiError && error.problems.length > 0) {
          const own = relativeProblems(error.problems, "corsPolicies");
          setServerProblems(own);
        }
        setSaveError(error);
      }
    } finally {
      setBusy(false);
    }
  };

  const merge = () => {
    if (!conflict) return;
    const mine = draft;
    const theirs = conflict.theirs ?? undefined;
    const merged = theirs ? mergeEdits(base?.policy ?? { name: draft.name }, mine, theirs) : mine;
    setBase({ policy: theirs, revision: conflict.current });
    setForm(formOf(merged));
    setConflict(undefined);
    setSaveError(undefined);
  };
  const discard = () => {
    if (!conflict) return;
    setBase({ policy: conflict.theirs ?? undefined, revision: conflict.current });
    setForm(formOf(conflict.theirs ?? { name: draft.name }));
    setConflict(undefined);
  };

  if (!creating && loaded.error) return <ErrorAlert error={loaded.error} />;
  if (base === undefined) return <p className="muted">Loading…</p>;
  const insight = check.data?.insight;
  const test = check.current ? insight?.test : undefined;

  return (
    <>
      {guard}
      <div className="page-head">
        <p className="crumbs">
          <Link to="/cors-policies">CORS policies</Link> /
        </p>
        <h1>{creating ? "New CORS policy" : `CORS policy ${base.policy?.name ?? name}`}</h1>
        {base.revision !== undefined ? <p className="muted">Editing revision #{base.revision}</p> : null}
      </div>
      {conflict ? (
        <Conflict current={conflict.current} theirs={conflict.theirs} onMerge={merge} onDiscard={discard} />
      ) : null}
      <div className="editor">
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
          aria-label="CORS policy"
        >
          <TextField
            label="Name"
            value={form.name}
            onChange={set("name")}
            problems={problemsAt(problems, "name").concat(problems.filter((p) => p.path === ""))}
            help={
              creating
                ? "Letters, digits, . _ -; APIs and groups refer to the policy by it."
                : "Renaming: create a new policy and delete this one."
            }
          />
          <TextField
            label="Description"
            value={form.description}
            onChange={set("description")}
            problems={problemsAt(problems, "description")}
          />
          <LinesField
            label="Allowed origins"
            value={form.origins}
            onChange={set("origins")}
            rows={5}
            placeholder={
              "https://app.example.com\nhttps://*.example.com\n^https://[a-z0-9-]+\\.example\\.org$"
            }
            problems={problemsAt(problems, "allowOrigins", "allowOriginPatterns")}
            help={
              <>
                One per line: an exact origin (<code>https://app.example.com</code>), a wildcard over
                subdomains (<code>https://*.example.com</code>), a regular expression anchored with{" "}
                <code>^…$</code>, or <code>*</code>.
              </>
            }
          />
          <LinesField
            label="Allowed methods"
            value={form.methods}
            onChange={set("methods")}
            rows={3}
            placeholder={"GET\nPOST\nPUT"}
            problems={problemsAt(problems, "allowMethods")}
            help="One per line; empty: GET, HEAD, POST."
          />
          <LinesField
            label="Allowed headers"
            value={form.headers}
            onChange={set("headers")}
            rows={3}
            placeholder={"Content-Type\nX-Sdk-Date"}
            problems={problemsAt(problems, "allowHeaders")}
            help="Request headers the page may set, one per line."
          />
          <LinesField
            label="Exposed headers"
            value={form.expose}
            onChange={set("expose")}
            rows={2}
            placeholder="X-Request-Id"
            problems={problemsAt(problems, "exposeHeaders")}
            help="Response headers the page may read, one per line."
          />
          <CheckboxField
            label="Allow credentials"
            checked={form.credentials}
            onChange={set("credentials")}
            problems={problemsAt(problems, "allowCredentials")}
            help="Cookies and HTTP authentication: never together with * origins, methods or headers."
          />
          <NumberField
            label="Max age"
            value={form.maxAge}
            onChange={set("maxAge")}
            min={0}
            max={86400}
            problems={problemsAt(problems, "maxAge")}
            help="Seconds a browser may cache the preflight (0 to 86400; Chromium caps it at 7200)."
          />
          <details>
            <summary>More settings</summary>
            <SelectField
              label="Mode"
              value={form.mode}
              onChange={set("mode")}
              options={[
                { value: "enforce", label: "enforce: refuse what the policy does not allow" },
                { value: "report", label: "report: decide and count, but never block" },
              ]}
              problems={problemsAt(problems, "mode")}
            />
            <SelectField
              label="Disallowed origin"
              value={form.onDisallowedOrigin}
              onChange={set("onDisallowedOrigin")}
              options={[
                { value: "reject", label: "reject with 403" },
                { value: "omit", label: "omit CORS headers, let the request through" },
              ]}
              problems={problemsAt(problems, "onDisallowedOrigin")}
            />
            <SelectField
              label="Backend CORS headers"
              value={form.backendCorsHeaders}
              onChange={set("backendCorsHeaders")}
              options={[
                { value: "override", label: "override: the policy replaces the backend's" },
                { value: "keep", label: "keep: the backend's win" },
              ]}
              problems={problemsAt(problems, "backendCorsHeaders")}
            />
            <CheckboxField
              label="Allow private network access"
              checked={form.privateNetwork}
              onChange={set("privateNetwork")}
              problems={problemsAt(problems, "allowPrivateNetwork")}
            />
            <LinesField
              label="Timing-Allow origins"
              value={form.timingAllowOrigins}
              onChange={set("timingAllowOrigins")}
              rows={2}
              problems={problemsAt(problems, "timingAllowOrigins")}
              help="Origins that may read Server-Timing."
            />
            <CheckboxField
              label="Allow the null origin (dangerous)"
              checked={form.allowNull}
              onChange={set("allowNull")}
              problems={problemsAt(problems, "dangerouslyAllowNullOrigin")}
            />
          </details>
          <SaveBar saveError={saveError} saved={saved} busy={busy} check={check} errorCount={errors.length} />
        </form>
        <aside className="side">
          <Card title="Origin tester">
            <div className="row">
              <div className="grow">
                <TextField
                  label="Test origin"
                  value={testOrigin}
                  onChange={setTestOrigin}
                  placeholder="https://app.example.com"
                />
              </div>
              <button type="button" onClick={() => setTestOrigin((o) => o.trim())}>
                Test
              </button>
            </div>
            <div role="status" className={`verdict-box ${test ? (test.allowed ? "ok" : "bad") : ""}`}>
              {testOrigin.trim() === ""
                ? "Type an origin to see whether this policy allows it."
                : !check.current
                  ? "Checking…"
                  : test
                    ? test.summary
                    : errors.length > 0
                      ? "Fix the policy's errors to test origins."
                      : "Checking…"}
            </div>
            {test ? (
              <details>
                <summary>Checks</summary>
                <Trace steps={test.trace} />
              </details>
            ) : null}
          </Card>
          <Card title="Effective origins">
            {insight && insight.effectiveOrigins.length > 0 ? (
              <ul className="origins">
                {insight.effectiveOrigins.map((o) => (
                  <li key={`${o.source}:${o.value}`}>
                    <code>{o.value}</code>{" "}
                    <span className="muted">
                      {o.kind} · {o.source}
                    </span>
                  </li>
                ))}
              </ul>
            ) : (
              <p className="muted">{insight ? "No origin is allowed yet." : "Checking…"}</p>
            )}
            <p className="help">
              Includes the JavaScript origins of applications authorized for the bound APIs.
            </p>
          </Card>
          <Card title="Preflight answer">
            {insight?.preflight ? (
              <>
                <p className="muted">
                  <code>OPTIONS</code> from <code>{insight.preflight.origin}</code> asking for{" "}
                  <code>{insight.preflight.requestMethod}</code>
                  {insight.preflight.requestHeaders ? (
                    <>
                      {" "}
                      with <code>{insight.preflight.requestHeaders}</code>
                    </>
                  ) : null}
                  : {insight.preflight.status}
                </p>
                <HeadersTable headers={insight.preflight.headers} caption="Headers the preflight gets" />
              </>
            ) : (
              <p className="muted">{insight ? "Add an allowed origin to see the headers." : "Checking…"}</p>
            )}
          </Card>
          <Card title="Bound APIs">
            {insight && insight.boundApis.length > 0 ? (
              <ul>
                {insight.boundApis.map((a) => (
                  <li key={a.name}>
                    <Link to={`/apis/${encodeURIComponent(a.name)}`}>{a.name}</Link>{" "}
                    <code>
                      {a.method} {a.path}
                    </code>{" "}
                    <span className="muted">({a.via})</span>
                  </li>
                ))}
              </ul>
            ) : (
              <p className="muted">{insight ? "No API uses this policy yet." : "Checking…"}</p>
            )}
          </Card>
          <Card title="Changes">
            <DiffView lines={check.data?.changes ?? []} label="Changes against the saved policy" />
          </Card>
          <Card title="YAML">
            {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling block must be reachable with the keyboard to scroll it */}
            <pre className="yaml" title={"The policy as YAML"} tabIndex={0}>
              {check.data?.yaml ?? ""}
            </pre>
          </Card>
        </aside>
      </div>
    </>
  );
}
