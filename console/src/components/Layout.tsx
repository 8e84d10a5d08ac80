import type { ReactNode } from "react";
import { useAuth } from "../auth";
import { Link, useRouter } from "../router";
import { ConnectionBanner } from "./ConnectionBanner";

const NAV: readonly { to: string; label: string }[] = [
  { to: "/", label: "Dashboard" },
  { to: "/groups", label: "Groups" },
  { to: "/apis", label: "APIs" },
  { to: "/cors-policies", label: "CORS policies" },
  { to: "/apps", label: "Applications" },
  { to: "/explain", label: "Explain" },
  { to: "/revisions", label: "Revisions" },
  { to: "/config", label: "Configuration" },
  { to: "/status", label: "Status" },
];

function active(path: string, to: string): boolean {
  return to === "/" ? path === "/" : path === to || path.startsWith(`${to}/`);
}

export function Layout({ children }: { children: ReactNode }) {
  const { location } = useRouter();
  const { signOut } = useAuth();
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">crossgate</span>
        <nav aria-label="Main">
          <ul>
            {NAV.map((n) => (
              <li key={n.to}>
                <Link to={n.to} aria-current={active(location.path, n.to) ? "page" : undefined}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <button type="button" className="ghost" onClick={signOut}>
          Sign out
        </button>
      </header>
      <ConnectionBanner />
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
