import { useState } from "react";
import { ApiError, saveResource } from "../api/client";
import { useConfig, useDraftCheck, useInvalidateAll } from "../api/hooks";
import type { DraftCheck, Group, WriteResult } from "../api/types";
import { Card, Chip, Empty, ErrorAlert } from "../components/bits";
import { LinesField, problemsAt, SelectField, TextField } from "../components/fields";
import { useUnsavedGuard } from "../components/unsaved";
import { Link } from "../router";
import { corsSourceOf } from "./cors-source";

interface GroupForm {
  name: string;
  domains: string[];
  basePath: string;
  corsPolicy: string;
}

function groupOf(f: GroupForm, base: Group | undefined): Group {
  const g: Group = {
    ...(base?.description !== undefined ? { description: base.description } : {}),
    name: f.name.trim(),
  };
  if (f.domains.length > 0 || base?.domains !== undefined) g.domains = f.domains;
  if (f.basePath.trim() !== "") g.basePath = f.basePath.trim();
  if (f.corsPolicy !== "") g.corsPolicy = f.corsPolicy;
  return g;
}

function GroupEditor({
  base,
  revision,
  policies,
  onDone,
}: {
  base: Group | undefined;
  revision: number | undefined;
  policies: string[];
  onDone: (message: string) => void;
}) {
  const invalidate = useInvalidateAll();
  const [form, setForm] = useState<GroupForm>({
    name: base?.name ?? "",
    domains: base?.domains ?? [],
    basePath: base?.basePath ?? "",
    corsPolicy: base?.corsPolicy ?? "",
  });
  const [error, setError] = useState<unknown>();
  const draft = groupOf(form, base);
  const check = useDraftCheck<DraftCheck>("/preview/groups", {
    item: draft,
    ...(base ? { replaces: base.name } : {}),
  });
  const problems = check.data?.problems ?? [];
  const guard = useUnsavedGuard(base ? check.current && check.data?.unchanged === false : form.name !== "");
  const set =
    <K extends keyof GroupForm>(k: K) =>
    (v: GroupForm[K]) =>
      setForm((f) => ({ ...f, [k]: v }));
  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(undefined);
    if (base && check.current && check.data?.unchanged)
      return onDone("No changes: nothing was saved and no revision was made.");
    try {
      const a = await saveResource<WriteResult>("/groups", draft, base?.name, revision);
      await invalidate();
      onDone(`Saved group ${draft.name}: revision #${a.data.revision} is live.`);
    } catch (err) {
      setError(
        err instanceof ApiError && err.code === "STALE_REVISION"
          ? new ApiError(
              412,
              err.code,
              `Not saved: the configuration moved on to revision #${err.current}; your edits are kept. Close and reopen the group to compare, then save again.`,
            )
          : err,
      );
    }
  };
  return (
    <Card title={base ? `Group ${base.name}` : "New group"}>
      {guard}
      <form className="form" onSubmit={save} aria-label="Group">
        <TextField
          label="Name"
          value={form.name}
          onChange={set("name")}
          problems={problemsAt(problems, "name")}
        />
        <LinesField
          label="Domains"
          value={form.domains}
          onChange={set("domains")}
          rows={2}
          placeholder={"api.shop.test\n*.shop.test"}
          problems={problemsAt(problems, "domains")}
          help="Host names, one per line; none: any Host."
        />
        <TextField
          label="Base path"
          value={form.basePath}
          onChange={set("basePath")}
          placeholder="/v1"
          problems={problemsAt(problems, "basePath")}
        />
        <SelectField
          label="Default CORS policy"
          value={form.corsPolicy}
          onChange={set("corsPolicy")}
          options={[{ value: "", label: "(none)" }, ...policies.map((p) => ({ value: p, label: p }))]}
          problems={problemsAt(problems, "corsPolicy")}
        />
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

export default function Groups() {
  const config = useConfig();
  const [editing, setEditing] = useState<string | null | undefined>(undefined);
  const [message, setMessage] = useState("");
  const cfg = config.data?.config;
  const groups = cfg?.groups ?? [];
  const apis = cfg?.apis ?? [];
  const ungrouped = apis.filter((a) => !a.group);
  return (
    <>
      <div className="page-head row">
        <h1>Groups</h1>
        <button type="button" className="primary" onClick={() => setEditing(null)}>
          New group
        </button>
      </div>
      <ErrorAlert error={config.error} />
      {message ? (
        <p role="status" className="ok-box">
          {message}
        </p>
      ) : null}
      {editing !== undefined ? (
        <GroupEditor
          key={editing ?? "(new)"}
          base={groups.find((g) => g.name === editing)}
          revision={config.data?.revision}
          policies={(cfg?.corsPolicies ?? []).map((p) => p.name)}
          onDone={(m) => {
            setEditing(undefined);
            setMessage(m);
          }}
        />
      ) : null}
      {groups.length === 0 && ungrouped.length === 0 ? (
        <Empty>
          No group yet. A group gathers APIs under host names and a base path, and may name a default CORS
          policy.
        </Empty>
      ) : null}
      {[
        ...groups.map((g) => ({
          group: g as Group | undefined,
          list: apis.filter((a) => a.group === g.name),
        })),
        ...(ungrouped.length > 0 ? [{ group: undefined, list: ungrouped }] : []),
      ].map(({ group, list }) => (
        <Card
          key={group?.name ?? "(none)"}
          title={group ? group.name : "APIs without a group"}
          actions={
            group ? (
              <button
                type="button"
                onClick={() => setEditing(group.name)}
                aria-label={`Edit group ${group.name}`}
              >
                Edit
              </button>
            ) : undefined
          }
        >
          {group ? (
            <p className="muted">
              Domains: <code>{group.domains?.join(", ") || "any Host"}</code> · Base path:{" "}
              <code>{group.basePath ?? "/"}</code> · Default policy:{" "}
              {group.corsPolicy ? (
                <Link to={`/cors-policies/${encodeURIComponent(group.corsPolicy)}`}>{group.corsPolicy}</Link>
              ) : (
                "none"
              )}
            </p>
          ) : (
            <p className="muted">Served on any Host, without a base path.</p>
          )}
          {list.length === 0 ? (
            <Empty>No API in this group.</Empty>
          ) : (
            <table>
              <caption className="sr-only">
                APIs of {group?.name ?? "no group"} and where their CORS rules come from
              </caption>
              <thead>
                <tr>
                  <th scope="col">API</th>
                  <th scope="col">Route</th>
                  <th scope="col">Effective CORS</th>
                </tr>
              </thead>
              <tbody>
                {list.map((a) => {
                  const s = corsSourceOf(a, cfg);
                  return (
                    <tr key={a.name}>
                      <th scope="row">
                        <Link to={`/apis/${encodeURIComponent(a.name)}`}>{a.name}</Link>
                      </th>
                      <td>
                        <code>
                          {a.method} {group?.basePath?.replace(/\/$/, "") ?? ""}
                          {a.path}
                        </code>
                      </td>
                      <td>
                        <Chip kind={s.kind}>{s.label}</Chip>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </Card>
      ))}
    </>
  );
}
