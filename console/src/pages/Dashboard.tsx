import { useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import type { Problem } from "../api/client";
import { call } from "../api/client";
import type { Decision, Status, Traffic } from "../api/types";
import { Card, Empty, ErrorAlert } from "../components/bits";
import { Link } from "../router";

/** Reason codes in words, beside the code itself. */
export const REASONS: Record<string, string> = {
  ORIGIN_NOT_ALLOWED: "origin not allowed",
  ORIGIN_MALFORMED: "malformed Origin",
  NULL_ORIGIN_NOT_ALLOWED: "null origin",
  METHOD_NOT_ALLOWED: "method not allowed",
  HEADER_NOT_ALLOWED: "header not allowed",
  PRIVATE_NETWORK_NOT_ALLOWED: "private network access",
};

function sortCounts(counts: Record<string, number>): [string, number][] {
  return Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** An explain link prefilled from a recorded decision (a preflight explains the request it asked about). */
export function explainLink(d: Decision): string {
  const q = new URLSearchParams();
  q.set("origin", d.origin ?? "");
  q.set("method", d.preflight && d.requestMethod ? d.requestMethod : d.method);
  q.set("path", d.path);
  if (d.host) q.set("host", d.host);
  if (d.preflight && d.requestHeaders) q.set("headers", d.requestHeaders);
  q.set("run", "1");
  return `/explain?${q.toString()}`;
}

function Chart({ traffic }: { traffic: Traffic }) {
  const buckets = traffic.buckets;
  const max = Math.max(1, ...buckets.map((b) => b.requests));
  const w = 720;
  const h = 140;
  const bw = w / Math.max(1, buckets.length);
  const refusedOf = (b: Traffic["buckets"][number]) => Object.values(b.refused).reduce((a, c) => a + c, 0);
  const total = traffic.totals.requests;
  const refused = Object.values(traffic.totals.refused).reduce((a, c) => a + c, 0);
  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${w} ${h + 20}`}
        role="img"
        aria-label={`Requests per ${traffic.bucketSeconds} s over the last ${buckets.length} intervals: ${total} requests, ${refused} refused by CORS`}
      >
        <line x1="0" y1={h} x2={w} y2={h} className="axis" />
        {buckets.map((b, i) => {
          const all = (b.requests / max) * h;
          const bad = (refusedOf(b) / max) * h;
          return (
            <g key={b.start}>
              <title>{`${new Date(b.start).toLocaleTimeString()}: ${b.requests} requests, ${refusedOf(b)} refused`}</title>
              <rect
                x={i * bw + 1}
                y={h - all}
                width={Math.max(1, bw - 2)}
                height={all - bad}
                className="bar-ok"
              />
              <rect
                x={i * bw + 1}
                y={h - bad}
                width={Math.max(1, bw - 2)}
                height={bad}
                className="bar-refused"
              />
            </g>
          );
        })}
        <text x="0" y={h + 16} className="tick">
          {buckets[0] ? new Date(buckets[0].start).toLocaleTimeString() : ""}
        </text>
        <text x={w} y={h + 16} textAnchor="end" className="tick">
          now
        </text>
      </svg>
      <figcaption>
        <span className="legend legend-ok" aria-hidden="true" /> requests{" "}
        <span className="legend legend-refused" aria-hidden="true" /> refused by CORS
      </figcaption>
    </figure>
  );
}

function CountsTable({
  caption,
  counts,
  empty,
}: {
  caption: string;
  counts: Record<string, number>;
  empty: string;
}) {
  const rows = sortCounts(counts);
  if (rows.length === 0) return <Empty>{empty}</Empty>;
  return (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Reason</th>
          <th scope="col" className="num">
            Count
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([reason, count]) => (
          <tr key={reason}>
            <th scope="row">
              <code>{reason}</code> <span className="muted">{REASONS[reason] ?? ""}</span>
            </th>
            <td className="num">{count}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Dashboard() {
  const traffic = useQuery({
    queryKey: ["traffic"],
    queryFn: async () => (await call<Traffic>("/traffic?top=10")).data,
    refetchInterval: 3000,
  });
  const decisions = useQuery({
    queryKey: ["decisions"],
    queryFn: async () => (await call<{ decisions: Decision[] }>("/decisions?limit=15")).data.decisions,
    refetchInterval: 3000,
  });
  const lint = useQuery({
    queryKey: ["lint"],
    queryFn: async () => (await call<{ warnings: Problem[]; revision?: number }>("/lint")).data,
  });
  const status = useQuery({
    queryKey: ["status"],
    queryFn: async () => (await call<Status>("/status")).data,
    refetchInterval: 5000,
  });
  const t = traffic.data;
  // For bench/console.mjs: when the dashboard first shows its data.
  useEffect(() => {
    if (t && performance.getEntriesByName("console:dashboard").length === 0)
      performance.mark("console:dashboard");
  }, [t]);
  return (
    <>
      <div className="page-head">
        <h1>Dashboard</h1>
        {status.data ? (
          <p className="muted">
            Live revision <strong>#{status.data.revision.served}</strong>
            {status.data.revision.summary ? <> — {status.data.revision.summary}</> : null}
          </p>
        ) : null}
      </div>
      <ErrorAlert error={traffic.error ?? decisions.error} />
      <div className="grid">
        <Card title="Traffic">
          {t ? (
            <>
              <p className="big-numbers">
                <span>
                  <strong>{t.totals.requests}</strong> requests
                </span>
                <span>
                  <strong>{Object.values(t.totals.refused).reduce((a, c) => a + c, 0)}</strong> refused by
                  CORS
                </span>
                <span>
                  <strong>{Object.values(t.totals.wouldRefuse).reduce((a, c) => a + c, 0)}</strong> would
                  block (report mode)
                </span>
              </p>
              <Chart traffic={t} />
            </>
          ) : (
            <p className="muted">Loading…</p>
          )}
        </Card>
        <Card title="CORS rejections by reason">
          {t ? (
            <CountsTable
              caption={`Refused requests in the last ${Math.round((t.buckets.length * t.bucketSeconds) / 60)} minutes`}
              counts={t.totals.refused}
              empty="No request was refused by CORS in this window."
            />
          ) : null}
          <h3>Report mode: would block</h3>
          {t ? (
            <CountsTable
              caption="Requests that policies in report mode let through but would refuse"
              counts={t.totals.wouldRefuse}
              empty="No policy in report mode would have blocked anything."
            />
          ) : null}
        </Card>
        <Card title="Top refused origins">
          {t && t.topRefusedOrigins.length > 0 ? (
            <table>
              <caption className="sr-only">Origins refused most often</caption>
              <thead>
                <tr>
                  <th scope="col">Origin</th>
                  <th scope="col">Reasons</th>
                  <th scope="col" className="num">
                    Count
                  </th>
                </tr>
              </thead>
              <tbody>
                {t.topRefusedOrigins.map((o) => (
                  <tr key={o.origin}>
                    <th scope="row">
                      <code>{o.origin}</code>
                    </th>
                    <td>
                      {sortCounts(o.reasons)
                        .map(([r, c]) => `${r} ${c}`)
                        .join(", ")}
                    </td>
                    <td className="num">{o.count}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <Empty>No refused origins yet.</Empty>
          )}
        </Card>
        <Card title="Lint findings">
          {lint.data && lint.data.warnings.length > 0 ? (
            <ul className="findings">
              {lint.data.warnings.map((w) => (
                <li key={`${w.path}:${w.code}`}>
                  <code>{w.path}</code> {w.reason}
                </li>
              ))}
            </ul>
          ) : (
            <Empty>No lint warnings: nothing risky in the configuration.</Empty>
          )}
        </Card>
      </div>
      <Card title="Recent decisions">
        {decisions.data && decisions.data.length > 0 ? (
          <div className="scroll-x">
            <table className="decisions">
              <caption className="sr-only">
                The most recent requests and their CORS verdicts; each can be explained
              </caption>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Request</th>
                  <th scope="col">Origin</th>
                  <th scope="col">API</th>
                  <th scope="col" className="num">
                    Status
                  </th>
                  <th scope="col">CORS</th>
                  <th scope="col">
                    <span className="sr-only">Explain</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {decisions.data.map((d) => (
                  <tr key={d.requestId}>
                    <td>{new Date(d.time).toLocaleTimeString()}</td>
                    <td>
                      <code>
                        {d.method} {d.path}
                      </code>
                      {d.preflight ? <span className="muted"> preflight for {d.requestMethod}</span> : null}
                    </td>
                    <td>
                      <code>{d.origin ?? "—"}</code>
                    </td>
                    <td>{d.api || "—"}</td>
                    <td className="num">{d.status}</td>
                    <td>
                      <span className={`verdict verdict-${d.verdict}`}>{d.verdict}</span>{" "}
                      {d.reason && d.verdict !== "allowed" ? <code>{d.reason}</code> : null}
                    </td>
                    <td>
                      {d.origin ? (
                        <Link
                          to={explainLink(d)}
                          aria-label={`Explain ${d.method} ${d.path} from ${d.origin}`}
                        >
                          Explain
                        </Link>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <Empty>No requests yet. Send one through the gateway, or use an API's Test tab.</Empty>
        )}
      </Card>
    </>
  );
}
