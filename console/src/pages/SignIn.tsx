import { useEffect, useState } from "react";
import { useAuth } from "../auth";

export function SignIn() {
  const { signIn } = useAuth();
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  // For bench/console.mjs: when the first page takes input, in the page's own timeline.
  useEffect(() => {
    if (performance.getEntriesByName("console:usable").length === 0) performance.mark("console:usable");
  }, []);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signIn(token);
    } catch (err) {
      const status = (err as { status?: number }).status;
      setError(
        status === 401
          ? "The admin token was refused. Use the token crossgate printed at its first start (or CROSSGATE_ADMIN_TOKEN)."
          : (err as Error).message,
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="signin" id="main">
      <form onSubmit={submit} aria-labelledby="signin-title">
        <h1 id="signin-title">crossgate console</h1>
        <p className="muted">Manage, test and explain CORS. The token stays in this tab's memory only.</p>
        <div className="field">
          <label htmlFor="token">Admin token</label>
          <input
            id="token"
            type="password"
            autoComplete="off"
            value={token}
            onChange={(e) => setToken(e.target.value)}
            aria-describedby={error ? "signin-error" : undefined}
          />
        </div>
        {error ? (
          <p id="signin-error" role="alert" className="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
