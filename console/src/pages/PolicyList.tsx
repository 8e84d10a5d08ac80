import { memo, useDeferredValue, useMemo, useState } from "react";
import { useConfig } from "../api/hooks";
import type { CorsPolicy } from "../api/types";
import { Empty, ErrorAlert } from "../components/bits";
import { VirtualRows } from "../components/VirtualRows";
import { Link, useRouter } from "../router";

const ROW = 44;

/** One row; memoized, so that scrolling renders only the rows that come into view. */
const PolicyRow = memo(function PolicyRow({ policy: p, apis }: { policy: CorsPolicy; apis: number }) {
  const origins = [...(p.allowOrigins ?? []), ...(p.allowOriginPatterns ?? [])];
  return (
    <tr style={{ height: ROW }}>
      <th scope="row">
        <Link to={`/cors-policies/${encodeURIComponent(p.name)}`}>{p.name}</Link>
      </th>
      <td>
        <code>{origins.slice(0, 3).join(", ")}</code>
        {origins.length > 3 ? <span className="muted"> +{origins.length - 3}</span> : null}
      </td>
      <td>{p.allowCredentials ? "yes" : "no"}</td>
      <td>{p.mode ?? "enforce"}</td>
      <td className="num">{apis}</td>
    </tr>
  );
});

export default function PolicyList() {
  const config = useConfig();
  const { navigate } = useRouter();
  const [filter, setFilter] = useState("");
  const deferred = useDeferredValue(filter);
  const policies = config.data?.config.corsPolicies ?? [];
  const usage = useMemo(() => {
    const count = new Map<string, number>();
    const groups = new Map((config.data?.config.groups ?? []).map((g) => [g.name, g]));
    for (const api of config.data?.config.apis ?? []) {
      const name = api.corsPolicy ?? (api.cors ? undefined : groups.get(api.group ?? "")?.corsPolicy);
      if (name) count.set(name, (count.get(name) ?? 0) + 1);
    }
    return count;
  }, [config.data]);
  const shown = useMemo(() => {
    const f = deferred.trim().toLowerCase();
    if (f === "") return policies;
    return policies.filter(
      (p) =>
        p.name.toLowerCase().includes(f) ||
        (p.allowOrigins ?? []).some((o) => o.toLowerCase().includes(f)) ||
        (p.description ?? "").toLowerCase().includes(f),
    );
  }, [policies, deferred]);
  return (
    <>
      <div className="page-head row">
        <h1>CORS policies</h1>
        <button type="button" className="primary" onClick={() => void navigate("/cors-policies/new")}>
          New policy
        </button>
      </div>
      <ErrorAlert error={config.error} />
      <div className="field search">
        <label htmlFor="policy-filter">Filter policies</label>
        <input
          id="policy-filter"
          type="search"
          value={filter}
          placeholder="name or origin"
          onChange={(e) => setFilter(e.target.value)}
        />
      </div>
      {config.isLoading ? (
        <p className="muted">Loading…</p>
      ) : policies.length === 0 ? (
        <Empty>
          No CORS policy yet. A policy lists the origins, methods and headers a browser may use; bind it to
          APIs or make it a group's default.
        </Empty>
      ) : (
        <>
          <p className="muted" aria-live="polite">
            {shown.length} of {policies.length} policies
          </p>
          <VirtualRows<CorsPolicy>
            items={shown}
            rowHeight={ROW}
            height={560}
            label="CORS policies"
            columns={
              <>
                <col className="c-name" />
                <col className="c-origins" />
                <col className="c-small" />
                <col className="c-small" />
                <col className="c-small" />
              </>
            }
            header={
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Origins</th>
                <th scope="col">Credentials</th>
                <th scope="col">Mode</th>
                <th scope="col" className="num">
                  APIs
                </th>
              </tr>
            }
            row={(p) => <PolicyRow key={p.name} policy={p} apis={usage.get(p.name) ?? 0} />}
          />
        </>
      )}
    </>
  );
}
