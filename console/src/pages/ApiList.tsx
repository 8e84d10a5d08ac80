import { useMemo, useState } from "react";
import { useConfig } from "../api/hooks";
import { Chip, Empty, ErrorAlert } from "../components/bits";
import { Link, useRouter } from "../router";
import { corsSourceOf } from "./cors-source";

export default function ApiList() {
  const config = useConfig();
  const { navigate } = useRouter();
  const [search, setSearch] = useState("");
  const apis = config.data?.config.apis ?? [];
  const shown = useMemo(() => {
    const f = search.trim().toLowerCase();
    if (f === "") return apis;
    return apis.filter((a) =>
      [a.name, a.path, a.method, a.group ?? "", a.corsPolicy ?? "", a.description ?? ""].some((v) =>
        v.toLowerCase().includes(f),
      ),
    );
  }, [apis, search]);
  return (
    <>
      <div className="page-head row">
        <h1>APIs</h1>
        <button type="button" className="primary" onClick={() => void navigate("/apis/new")}>
          New API
        </button>
      </div>
      <ErrorAlert error={config.error} />
      <div className="field search">
        <label htmlFor="api-search">Search APIs</label>
        <input
          id="api-search"
          type="search"
          value={search}
          placeholder="name, path, group or policy"
          onChange={(e) => setSearch(e.target.value)}
        />
      </div>
      {config.isLoading ? (
        <p className="muted">Loading…</p>
      ) : apis.length === 0 ? (
        <Empty>
          No API yet. An API is a frontend (method and path), its security (auth, CORS toggle or policy) and
          one backend (mock, http or function).
        </Empty>
      ) : (
        <table>
          <caption className="sr-only">APIs, {shown.length} shown</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Route</th>
              <th scope="col">Group</th>
              <th scope="col">CORS</th>
              <th scope="col">Auth</th>
              <th scope="col">Backend</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((a) => {
              const source = corsSourceOf(a, config.data?.config);
              return (
                <tr key={a.name}>
                  <th scope="row">
                    <Link to={`/apis/${encodeURIComponent(a.name)}`}>{a.name}</Link>
                    {a.description ? <div className="muted small">{a.description}</div> : null}
                  </th>
                  <td>
                    <code>
                      {a.method} {a.path}
                    </code>{" "}
                    <span className="muted">{a.match ?? "exact"}</span>
                  </td>
                  <td>{a.group ?? "—"}</td>
                  <td>
                    <Chip kind={source.kind}>{source.label}</Chip>
                  </td>
                  <td>{a.auth ?? "none"}</td>
                  <td>
                    {a.backend.type}
                    {a.backend.type === "http" ? <span className="muted"> {a.backend.url}</span> : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}
