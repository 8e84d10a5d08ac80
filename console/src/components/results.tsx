import type { ExplainStage, Explanation, TestExchange, TestResult } from "../api/types";
import { HeadersTable, Trace } from "./bits";

/** Chromium's console sentence, shown as the browser prints it. */
export function ChromiumSentence({ message }: { message: string }) {
  return (
    <figure className="chromium">
      <figcaption>Chromium's console says</figcaption>
      <blockquote>
        <code>{message}</code>
      </blockquote>
    </figure>
  );
}

/** The gateway's reason for a refusal: the failed check of the engine's trace. */
export function gatewayReason(stage: ExplainStage | undefined): string | undefined {
  if (!stage) return undefined;
  const failed = stage.trace.find((t) => t.verdict === "fail");
  const refusal = stage.trace.find((t) => t.check === "verdict" && t.verdict === "fail");
  if (!failed) return undefined;
  return `${failed.check}: ${failed.detail}${refusal && refusal !== failed ? ` (${refusal.detail})` : ""}`;
}

export function StageView({ stage }: { stage: ExplainStage }) {
  return (
    <section className="stage" aria-label={stage.stage === "preflight" ? "Preflight" : "Actual request"}>
      <h3>
        {stage.stage === "preflight" ? "Preflight" : "Actual request"}: <code>{stage.request.method}</code>{" "}
        <span className={`verdict ${stage.browser.ok ? "verdict-allowed" : "verdict-refused"}`}>
          {stage.browser.ok ? "passes" : "blocked"}
        </span>
      </h3>
      <p className="chain">
        <span>
          group <strong>{stage.group ?? "(none)"}</strong>
        </span>{" "}
        →{" "}
        <span>
          API <strong>{stage.api ?? "(none)"}</strong>
        </span>{" "}
        →{" "}
        <span>
          CORS rules <strong>{stage.corsRules}</strong>
        </span>{" "}
        → answered by <strong>{stage.answeredBy}</strong>
        {stage.status !== null ? (
          <>
            : <strong>{stage.status}</strong>
          </>
        ) : (
          " (status from the backend)"
        )}
      </p>
      <HeadersTable headers={stage.request.headers} caption="The browser sends" />
      <h4>Checks</h4>
      <Trace steps={stage.trace} />
      <HeadersTable headers={stage.headers} caption="Response headers" />
      {stage.browser.ok ? (
        <p className="ok-box">Browser: {stage.browser.detail}</p>
      ) : (
        <ChromiumSentence message={stage.browser.message ?? ""} />
      )}
    </section>
  );
}

export function ExplanationView({ explanation }: { explanation: Explanation }) {
  const last = explanation.stages[explanation.stages.length - 1];
  const reason = explanation.outcome.ok
    ? undefined
    : gatewayReason(explanation.stages.find((s) => !s.browser.ok));
  return (
    <div className="explanation">
      <div role="status" className={`verdict-box ${explanation.outcome.ok ? "ok" : "bad"}`}>
        <strong>{explanation.outcome.ok ? "allowed" : "blocked"}</strong>: {explanation.outcome.summary}
      </div>
      {reason ? (
        <p className="reason">
          Gateway's reason: <code>{reason}</code>
        </p>
      ) : null}
      <p className="muted">
        <code>{explanation.url}</code> —{" "}
        {explanation.preflightNeeded
          ? "the browser sends a preflight first"
          : "a simple request: no preflight"}
        {last?.stage === "preflight" ? "; the actual request is never sent" : ""}
      </p>
      {explanation.stages.map((s) => (
        <StageView key={s.stage} stage={s} />
      ))}
    </div>
  );
}

function errorCodeOf(exchange: TestExchange): string | undefined {
  try {
    const body = JSON.parse(exchange.response.body) as { error_code?: unknown; error_msg?: unknown };
    return typeof body.error_code === "string"
      ? `${body.error_code}: ${String(body.error_msg ?? "")}`
      : undefined;
  } catch {
    return undefined;
  }
}

export function ExchangeView({ exchange }: { exchange: TestExchange }) {
  const code = errorCodeOf(exchange);
  return (
    <section
      className="stage"
      aria-label={exchange.stage === "preflight" ? "Preflight exchange" : "Actual exchange"}
    >
      <h3>
        {exchange.stage === "preflight" ? "Preflight" : "Actual request"}:{" "}
        <code>
          {exchange.request.method} {exchange.request.path}
        </code>{" "}
        → <strong>{exchange.response.status}</strong> {exchange.response.statusText}
      </h3>
      <p className="muted">
        Request id <code>{exchange.requestId ?? "—"}</code> · {exchange.durationMs} ms
      </p>
      {code ? (
        <p className="reason">
          Gateway's answer: <code>{code}</code>
        </p>
      ) : null}
      <div className="two">
        <HeadersTable headers={exchange.request.headers} caption="Request headers" />
        <HeadersTable headers={exchange.response.headers} caption="Response headers" />
      </div>
      {exchange.response.body ? (
        <details>
          <summary>Response body{exchange.response.bodyTruncated ? " (first 2 KB)" : ""}</summary>
          {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling block must be reachable with the keyboard to scroll it */}
          <pre className="body" tabIndex={0}>
            {exchange.response.body}
          </pre>
        </details>
      ) : null}
      {exchange.browser.ok ? (
        <p className="ok-box">Browser: {exchange.browser.detail}</p>
      ) : (
        <ChromiumSentence message={exchange.browser.message ?? ""} />
      )}
    </section>
  );
}

export function TestResultView({ result }: { result: TestResult }) {
  const refused = result.explanation.stages.find((s) => !s.browser.ok);
  const reason = gatewayReason(refused);
  return (
    <div className="test-result">
      <div role="status" className={`verdict-box ${result.outcome.ok ? "ok" : "bad"}`}>
        <strong>{result.outcome.ok ? "allowed" : "blocked"}</strong>: {result.outcome.summary}
      </div>
      {!result.outcome.ok && reason ? (
        <p className="reason">
          Gateway's reason: <code>{reason}</code>
        </p>
      ) : null}
      {!result.agreesWithExplain ? (
        <p className="alert">
          The real exchange differs from explain's prediction ({result.explanation.outcome.summary}): the
          backend's own headers may have changed the answer.
        </p>
      ) : null}
      {result.exchanges.map((e) => (
        <ExchangeView key={e.stage} exchange={e} />
      ))}
      <details>
        <summary>Explain's trace for the same request</summary>
        <ExplanationView explanation={result.explanation} />
      </details>
    </div>
  );
}
