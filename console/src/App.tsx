import { lazy, Suspense, useEffect } from "react";
import { useAuth } from "./auth";
import { Layout } from "./components/Layout";
import { Dashboard } from "./pages/Dashboard";
import { SignIn } from "./pages/SignIn";
import { match, useRouter } from "./router";

const Groups = lazy(() => import("./pages/Groups"));
const ApiList = lazy(() => import("./pages/ApiList"));
const ApiEditor = lazy(() => import("./pages/ApiEditor"));
const PolicyList = lazy(() => import("./pages/PolicyList"));
const PolicyEditor = lazy(() => import("./pages/PolicyEditor"));
const Apps = lazy(() => import("./pages/Apps"));
const Explain = lazy(() => import("./pages/Explain"));
const Revisions = lazy(() => import("./pages/Revisions"));
const Configuration = lazy(() => import("./pages/Configuration"));
const Status = lazy(() => import("./pages/Status"));
const NotFound = lazy(() => import("./pages/NotFound"));

interface Route {
  readonly pattern: string;
  readonly title: string;
  readonly render: (params: Record<string, string>) => React.ReactNode;
}

const ROUTES: readonly Route[] = [
  { pattern: "/", title: "Dashboard", render: () => <Dashboard /> },
  { pattern: "/groups", title: "Groups", render: () => <Groups /> },
  { pattern: "/apis", title: "APIs", render: () => <ApiList /> },
  { pattern: "/apis/new", title: "New API", render: () => <ApiEditor key="new" /> },
  { pattern: "/apis/:name", title: "API", render: (p) => <ApiEditor key={p.name} name={p.name} /> },
  { pattern: "/cors-policies", title: "CORS policies", render: () => <PolicyList /> },
  { pattern: "/cors-policies/new", title: "New CORS policy", render: () => <PolicyEditor key="new" /> },
  {
    pattern: "/cors-policies/:name",
    title: "CORS policy",
    render: (p) => <PolicyEditor key={p.name} name={p.name} />,
  },
  { pattern: "/apps", title: "Applications", render: () => <Apps /> },
  { pattern: "/apps/:name", title: "Application", render: (p) => <Apps key={p.name} selected={p.name} /> },
  { pattern: "/explain", title: "Explain", render: () => <Explain /> },
  { pattern: "/revisions", title: "Revisions", render: () => <Revisions /> },
  { pattern: "/config", title: "Configuration", render: () => <Configuration /> },
  { pattern: "/status", title: "Status", render: () => <Status /> },
];

export function App() {
  const { signedIn } = useAuth();
  const { location } = useRouter();
  let found: { route: Route; params: Record<string, string> } | undefined;
  for (const route of ROUTES) {
    const params = match(route.pattern, location.path);
    if (params) {
      found = { route, params };
      break;
    }
  }
  const title = signedIn ? (found?.route.title ?? "Not found") : "Sign in";
  useEffect(() => {
    document.title = `${title} · crossgate console`;
  }, [title]);
  if (!signedIn) return <SignIn />;
  return (
    <Layout>
      <Suspense fallback={<p className="muted">Loading…</p>}>
        {found ? found.route.render(found.params) : <NotFound />}
      </Suspense>
    </Layout>
  );
}
