import { useQuery } from "@tanstack/react-query";
import { call } from "../api/client";
import type { Status as StatusData } from "../api/types";
import { Card, ErrorAlert, formatTime } from "../components/bits";

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <tr>
      <th scope="row">{label}</th>
      <td>{children}</td>
    </tr>
  );
}

export default function Status() {
  const status = useQuery({
    queryKey: ["status"],
    queryFn: async () => (await call<StatusData>("/status")).data,
    refetchInterval: 3000,
  });
  const s = status.data;
  return (
    <>
      <div className="page-head">
        <h1>Status</h1>
      </div>
      <ErrorAlert error={status.error} />
      {s ? (
        <div className="grid">
          <Card title="Node">
            <table className="kv">
              <tbody>
                <Row label="Gateway listener">
                  <code>{s.node.gatewayUrl ?? "(none)"}</code>
                </Row>
                <Row label="Worker processes">{s.node.workers}</Row>
                <Row label="Process">
                  pid {s.node.pid}, Node.js {s.node.nodeVersion}
                </Row>
                <Row label="Started">
                  {formatTime(s.node.startedAt)} ({Math.round(s.node.uptimeSeconds / 60)} min ago)
                </Row>
              </tbody>
            </table>
          </Card>
          <Card title="Store">
            <table className="kv">
              <tbody>
                <Row label="Mode">
                  {s.store.mode === "file" ? "configuration file (read-only here)" : "store"}
                </Row>
                <Row label="Location">
                  <code>{s.store.location ?? "—"}</code>
                </Row>
                <Row label="Reachable">
                  <span className={`verdict ${s.store.reachable ? "verdict-allowed" : "verdict-refused"}`}>
                    {s.store.reachable ? "yes" : "no"}
                  </span>
                </Row>
                <Row label="Serving from">{s.store.source}</Row>
                {s.store.lastError ? <Row label="Last error">{s.store.lastError}</Row> : null}
              </tbody>
            </table>
          </Card>
          <Card title="Last propagation">
            <table className="kv">
              <tbody>
                <Row label="Served revision">#{s.revision.served}</Row>
                <Row label="Store head">{s.revision.head !== undefined ? `#${s.revision.head}` : "—"}</Row>
                <Row label="Committed">
                  {s.revision.committedAt ? formatTime(s.revision.committedAt) : "—"}
                </Row>
                <Row label="By">{s.revision.actor ?? "—"}</Row>
                <Row label="What">{s.revision.summary ?? "—"}</Row>
                <Row label="In sync">
                  {s.revision.head === undefined || s.revision.head === s.revision.served
                    ? "yes: this node serves the newest revision"
                    : `no: serving #${s.revision.served}, the store has #${s.revision.head} (changes reach every node within a second)`}
                </Row>
              </tbody>
            </table>
          </Card>
          <Card title="Configuration">
            <table className="kv">
              <tbody>
                <Row label="Groups">{s.counts.groups}</Row>
                <Row label="APIs">{s.counts.apis}</Row>
                <Row label="CORS policies">{s.counts.corsPolicies}</Row>
                <Row label="Applications">{s.counts.apps}</Row>
              </tbody>
            </table>
          </Card>
        </div>
      ) : (
        <p className="muted">Loading…</p>
      )}
    </>
  );
}
