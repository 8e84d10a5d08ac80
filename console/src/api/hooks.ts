import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { call } from "./client";
import type { Config } from "./types";

export type KindName = "groups" | "apis" | "cors-policies" | "apps";

/** A kind's list, with the revision it was read at. */
export function useList<T>(kind: KindName) {
  return useQuery({
    queryKey: [kind],
    queryFn: async () => {
      const a = await call<{ items: T[]; revision?: number }>(`/${kind}`);
      return { items: a.data.items, revision: a.revision ?? a.data.revision };
    },
  });
}

/** The whole configuration (JSON), with its revision. */
export function useConfig() {
  return useQuery({
    queryKey: ["config"],
    queryFn: async () => {
      const a = await call<Config>("/config");
      return { config: a.data, revision: a.revision };
    },
  });
}

/** After a write: every read is stale (one write can change bindings shown on several pages). */
export function useInvalidateAll() {
  const client = useQueryClient();
  return () => client.invalidateQueries();
}

/** `value`, settled for `ms` (for checks sent while the user types). */
export function useDebounced<T>(value: T, ms = 200): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}

/**
 * The admin API's check of a draft (`POST /admin/v1/preview/{kind}`), re-run while the user types.
 * Answers that arrive out of order are dropped.
 */
export function useDraftCheck<R>(path: string, body: unknown, enabled = true) {
  const key = JSON.stringify(body);
  const debounced = useDebounced(key, 150);
  const [result, setResult] = useState<{ key: string; data: R } | undefined>();
  const [error, setError] = useState<unknown>();
  const latest = useRef("");
  const now = useRef(key);
  now.current = key;
  useEffect(() => {
    // Only a draft that has settled is checked: when the check is enabled (a resource has loaded) the
    // debounced draft may still be the form the page started from, whose problems are not the page's.
    if (!enabled || debounced !== now.current) return;
    latest.current = debounced;
    call<R>(path, { method: "POST", body: JSON.parse(debounced) })
      .then((a) => {
        if (latest.current === debounced) {
          setResult({ key: debounced, data: a.data });
          setError(undefined);
        }
      })
      .catch((e) => {
        if (latest.current === debounced) setError(e);
      });
  }, [path, debounced, enabled]);
  return { data: result?.data, current: result?.key === key, error };
}
