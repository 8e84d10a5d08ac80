import {
  type AnchorHTMLAttributes,
  createContext,
  type MouseEvent,
  useCallback,
  useContext,
  useEffect,
  useState,
} from "react";

/**
 * A small router over the History API under /console/: the console's few pages need paths and
 * query strings, links that work with the keyboard and middle-click, and a guard that asks before
 * leaving a form with unsaved changes.
 */

export const BASE = "/console";

interface Location {
  readonly path: string;
  readonly search: URLSearchParams;
}

type Guard = () => Promise<boolean>;

interface RouterState {
  readonly location: Location;
  navigate(to: string, options?: { replace?: boolean }): Promise<void>;
  /** A guard is asked before every navigation (unsaved changes); undefined clears it. */
  setGuard(guard: Guard | undefined): void;
}

const RouterContext = createContext<RouterState | null>(null);

function current(): Location {
  const raw = window.location.pathname.startsWith(BASE) ? window.location.pathname.slice(BASE.length) : "/";
  return { path: raw === "" ? "/" : raw, search: new URLSearchParams(window.location.search) };
}

let guard: Guard | undefined;

export function RouterProvider({ children }: { children: React.ReactNode }) {
  const [location, setLocation] = useState(current);
  useEffect(() => {
    const onPop = () => setLocation(current());
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);
  const navigate = useCallback(async (to: string, options?: { replace?: boolean }) => {
    if (guard && !(await guard())) return;
    guard = undefined;
    const url = to.startsWith("/") ? `${BASE}${to}` : to;
    if (options?.replace) window.history.replaceState(null, "", url);
    else window.history.pushState(null, "", url);
    setLocation(current());
    window.scrollTo(0, 0);
  }, []);
  const setGuard = useCallback((g: Guard | undefined) => {
    guard = g;
  }, []);
  return <RouterContext.Provider value={{ location, navigate, setGuard }}>{children}</RouterContext.Provider>;
}

export function useRouter(): RouterState {
  const r = useContext(RouterContext);
  if (!r) throw new Error("useRouter outside RouterProvider");
  return r;
}

/** Matches `/apis/:name` against a path; the parameters decoded, or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split("/");
  const a = path.split("/");
  if (p.length !== a.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const seg = p[i] as string;
    const val = a[i] as string;
    if (seg.startsWith(":")) {
      try {
        params[seg.slice(1)] = decodeURIComponent(val);
      } catch {
        return null;
      }
    } else if (seg !== val) return null;
  }
  return params;
}

export function Link({
  to,
  children,
  ...rest
}: { to: string } & Omit<AnchorHTMLAttributes<HTMLAnchorElement>, "href">) {
  const { navigate } = useRouter();
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    rest.onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    void navigate(to);
  };
  return (
    <a {...rest} href={`${BASE}${to}`} onClick={onClick}>
      {children}
    </a>
  );
}

let flash: string | undefined;

/** A message for the next page (e.g. "Saved" after a creation moves to the new resource's page). */
export function setFlash(message: string): void {
  flash = message;
}

export function takeFlash(): string | undefined {
  const m = flash;
  flash = undefined;
  return m;
}
