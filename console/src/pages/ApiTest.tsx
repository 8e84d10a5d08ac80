import { useState } from "react";
import { call } from "../api/client";
import type { Api, Config, Method, TestResult } from "../api/types";
import { ErrorAlert } from "../components/bits";
import { CheckboxField, SelectField, TextArea, TextField } from "../components/fields";
import { TestResultView } from "../components/results";
import { samplePath } from "./api-form";

const TEST_METHODS: readonly Method[] = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

/** Splits `X-Sdk-Date, Content-Type: application/json` into request headers. */
export function parseHeaderList(text: string): { name: string; value: string }[] {
  return text
    .split(",")
    .map((h) => h.trim())
    .filter((h) => h !== "")
    .map((h) => {
      const colon = h.indexOf(":");
      return colon > 0
        ? { name: h.slice(0, colon).trim(), value: h.slice(colon + 1).trim() }
        : { name: h, value: "1" };
    });
}

/** The Test tab: a request through the real gateway, as a browser on `origin` sends it. */
export function ApiTest({
  api,
  config,
  gatewayUrl,
}: {
  api: Api;
  config: Config | undefined;
  gatewayUrl: string | undefined;
}) {
  const group = config?.groups?.find((g) => g.name === api.group);
  const [origin, setOrigin] = useState("");
  const [method, setMethod] = useState<Method>(api.method === "ANY" ? "GET" : api.method);
  const [path, setPath] = useState(`${group?.basePath?.replace(/\/$/, "") ?? ""}${samplePath(api.path)}`);
  // A grouped API is reached on its group's domain; any other on the gateway's own address.
  const [host, setHost] = useState(
    group?.domains?.find((d) => !d.startsWith("*.")) ?? (gatewayUrl ? new URL(gatewayUrl).host : ""),
  );
  const [headers, setHeaders] = useState("");
  const [credentials, setCredentials] = useState(false);
  const [body, setBody] = useState("");
  const [result, setResult] = useState<TestResult | undefined>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const send = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const answer = await call<TestResult>("/test", {
        method: "POST",
        body: {
          origin: origin.trim(),
          method,
          path: path.trim() || "/",
          ...(host.trim() !== "" ? { host: host.trim() } : {}),
          headers: parseHeaderList(headers),
          credentials,
          ...(body !== "" && !["GET", "HEAD"].includes(method) ? { body } : {}),
        },
      });
      setResult(answer.data);
    } catch (err) {
      setError(err);
      setResult(undefined);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="test-tab">
      <form onSubmit={send} className="form inline-form" aria-label="Test request">
        <p className="help">
          Sends the request through this gateway as Chromium would from a page on <em>Origin</em>: the
          preflight first when the browser would send one, then the actual request — with every policy
          applied, unlike a plain HTTP client.
        </p>
        <TextField label="Origin" value={origin} onChange={setOrigin} placeholder="https://app.example.com" />
        <SelectField
          label="Test method"
          value={method}
          onChange={setMethod}
          options={TEST_METHODS.map((m) => ({ value: m, label: m }))}
        />
        <TextField label="Request path" value={path} onChange={setPath} />
        <TextField
          label="Host header"
          value={host}
          onChange={setHost}
          placeholder="(the gateway's address)"
        />
        <TextField
          label="Request headers"
          value={headers}
          onChange={setHeaders}
          placeholder="X-Sdk-Date, Content-Type: application/json"
          help="Comma-separated; Name or Name: value."
        />
        <CheckboxField
          label="Credentials"
          checked={credentials}
          onChange={setCredentials}
          help="fetch(…, { credentials: 'include' })"
        />
        {!["GET", "HEAD"].includes(method) ? (
          <TextArea label="Request body" value={body} onChange={setBody} rows={3} />
        ) : null}
        <button type="submit" className="primary" disabled={busy || origin.trim() === ""}>
          Send test request
        </button>
      </form>
      <div className="results">
        <ErrorAlert error={error} />
        {result ? (
          <TestResultView result={result} />
        ) : (
          <p className="muted">
            The preflight and the actual request, with their headers, request ids and timings, appear here.
          </p>
        )}
      </div>
    </div>
  );
}
