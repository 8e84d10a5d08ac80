import { useEffect, useState } from "react";

const EVERY_MS = 2000;

/** Polls the admin listener's /healthz; while it does not answer, a banner says so. */
export function ConnectionBanner() {
  const [down, setDown] = useState(false);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    const check = async () => {
      try {
        const res = await fetch("/healthz", { cache: "no-store" });
        if (!stopped) setDown(!res.ok);
      } catch {
        if (!stopped) setDown(true);
      }
      if (!stopped) timer = setTimeout(check, EVERY_MS);
    };
    void check();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, []);
  if (!down) return null;
  return (
    <div role="alert" className="banner">
      The admin API is not answering: crossgate may have stopped or the network is down. Nothing you type is
      lost; the console reconnects by itself.
    </div>
  );
}
