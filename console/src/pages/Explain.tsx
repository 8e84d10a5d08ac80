import { useEffect, useRef, useState } from "react";
import { call } from "../api/client";
import type { ExplainInput, Explanation, Method } from "../api/types";
import { ErrorAlert } from "../components/bits";
import { CheckboxField, TextArea, TextField } from "../components/fields";
import { ExplanationView } from "../components/results";
import { useRouter } from "../router";
import { parseHeaderList } from "./ApiTest";

const METHODS: readonly Method[] = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

interface ExplainForm {
  host: string;
  path: string;
  origin: string;
  method: string;
  headers: string;
  credentials: boolean;
}

function fromQuery(q: URLSearchParams): ExplainForm {
  return {
    host: q.get("host") ?? "",
    path: q.get("path") ?? "/",
    origin: q.get("origin") ?? "",
    method: q.get("method") ?? "GET",
    headers: q.get("headers") ?? "",
    credentials: q.get("credentials") === "1",
  };
}

function toQuery(f: ExplainForm): string {
  const q = new URLSearchParams();
  if (f.host) q.set("host", f.host);
  q.set("path", f.path);
  q.set("origin", f.origin);
  q.set("method", f.method);
  if (f.headers) q.set("headers", f.headers);
  if (f.credentials) q.set("credentials", "1");
  q.set("run", "1");
  return q.toString();
}

function inputOf(f: ExplainForm): ExplainInput {
  return {
    origin: f.origin.trim(),
    method: f.method.trim() || "GET",
    path: f.path.trim() || "/",
    ...(f.host.trim() !== "" ? { host: f.host.trim() } : {}),
    ...(f.headers.trim() !== "" ? { headers: parseHeaderList(f.headers) } : {}),
    ...(f.credentials ? { credentials: true } : {}),
  };
}

export default function Explain() {
  const { location, navigate } = useRouter();
  const [form, setForm] = useState<ExplainForm>(() => fromQuery(location.search));
  const [paste, setPaste] = useState("");
  const [pasteNotes, setPasteNotes] = useState<string[]>([]);
  const [pasteError, setPasteError] = useState<unknown>();
  const [result, setResult] = useState<Explanation | undefined>();
  const [error, setError] = useState<unknown>();
  const ran = useRef(false);

  const run = async (f: ExplainForm) => {
    setError(undefined);
    setResult(undefined);
    try {
      const answer = await call<Explanation>("/explain", { method: "POST", body: inputOf(f) });
      setResult(answer.data);
    } catch (e) {
      setError(e);
      setResult(undefined);
    }
  };
  // A shared URL (?…&run=1) explains at once, on the first render only.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs once; `run` is recreated on every render
  useEffect(() => {
    if (ran.current) return;
    ran.current = true;
    if (location.search.get("run") === "1" && location.search.get("origin"))
      void run(fromQuery(location.search));
  }, [location.search]);

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    void navigate(`/explain?${toQuery(form)}`, { replace: true });
    void run(form);
  };
  const parse = async () => {
    setPasteError(undefined);
    setPasteNotes([]);
    try {
      const answer = await call<{ kind: string; request: ExplainInput; notes: string[] }>("/explain/parse", {
        method: "POST",
        body: { text: paste },
      });
      const r = answer.data.request;
      const next: ExplainForm = {
        host: r.host ?? "",
        path: r.path,
        origin: r.origin,
        method: r.method,
        headers: (r.headers ?? [])
          .map((h) => (h.value && h.value !== "..." ? `${h.name}: ${h.value}` : h.name))
          .join(", "),
        credentials: r.credentials === true,
      };
      setForm(next);
      setPasteNotes([
        `Read as a ${answer.data.kind === "curl" ? "curl command" : "Chromium console error"}.`,
        ...answer.data.notes,
      ]);
      void navigate(`/explain?${toQuery(next)}`, { replace: true });
      void run(next);
    } catch (e) {
      setPasteError(e);
    }
  };
  const set =
    <K extends keyof ExplainForm>(key: K) =>
    (v: ExplainForm[K]) =>
      setForm((f) => ({ ...f, [key]: v }));
  const shareUrl = `${window.location.origin}/console/explain?${toQuery(form)}`;

  return (
    <>
      <div className="page-head">
        <h1>Explain</h1>
        <p className="muted">
          What the gateway and Chromium do with a request from a page: the match chain, every check, the exact
          response headers, and the browser's verdict in its own words.
        </p>
      </div>
      <div className="editor">
        <div>
          <form onSubmit={submit} className="form" aria-label="Request to explain">
            <TextField
              label="Host"
              value={form.host}
              onChange={set("host")}
              placeholder="api.shop.test (default: the first group domain)"
            />
            <TextField label="Path" value={form.path} onChange={set("path")} />
            <TextField
              label="Origin"
              value={form.origin}
              onChange={set("origin")}
              placeholder="https://app.example.com"
            />
            <div className="field">
              <label htmlFor="explain-method">Method</label>
              <input
                id="explain-method"
                list="explain-methods"
                value={form.method}
                autoComplete="off"
                spellCheck={false}
                onChange={(e) => set("method")(e.target.value)}
              />
              <datalist id="explain-methods">
                {METHODS.map((m) => (
                  <option key={m} value={m} />
                ))}
              </datalist>
            </div>
            <TextField
              label="Request headers"
              value={form.headers}
              onChange={set("headers")}
              placeholder="X-Sdk-Date, Content-Type: application/json"
              help="Comma-separated; the headers the page sets."
            />
            <CheckboxField
              label="Credentials"
              checked={form.credentials}
              onChange={set("credentials")}
              help="fetch(…, { credentials: 'include' }) or withCredentials"
            />
            <div className="row">
              <button type="submit" className="primary">
                Explain
              </button>
              <a href={shareUrl} className="share" aria-label="Shareable link to this explanation">
                Link to this explanation
              </a>
            </div>
          </form>
          <div className="form paste">
            <TextArea
              label="Paste a Chromium console error or a curl command"
              value={paste}
              onChange={setPaste}
              rows={5}
              placeholder={
                "Access to fetch at 'http://api.shop.test/v1/items' from origin 'https://app.example.com' has been blocked by CORS policy: …\n\nor\n\ncurl -X PUT -H 'Origin: https://app.example.com' http://api.shop.test/v1/items"
              }
            />
            <button type="button" onClick={() => void parse()} disabled={paste.trim() === ""}>
              Read and explain
            </button>
            <ErrorAlert error={pasteError} />
            {pasteNotes.length > 0 ? (
              <ul className="notes">
                {pasteNotes.map((n) => (
                  <li key={n}>{n}</li>
                ))}
              </ul>
            ) : null}
          </div>
        </div>
        <div>
          <ErrorAlert error={error} />
          {result ? (
            <ExplanationView explanation={result} />
          ) : (
            <p className="muted">Fill in a request, or paste an error, and press Explain.</p>
          )}
        </div>
      </div>
    </>
  );
}
