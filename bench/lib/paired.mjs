/**
 * Two contenders measured in pairs that share the machine's moment, for a target between two Node.js
 * servers (the access log on against off, crossgate against a Node.js peer): both started fresh, both
 * on the server core (the scheduler gives each half of it), each loaded by its own wrk (h2load for
 * HTTP/2) on the load core at the same time. Whatever slows the machine in a round slows both alike,
 * so the ratio of their req/s holds to a few percent where contenders timed one after the other move
 * by ten or more (and it agrees with servers loaded one at a time, alternating: docs/benchmarks.md,
 * "Paired against the peers"). A process has its own luck too (two identical servers differ by up to
 * 5% for as long as they run), so each pair is new processes, with their start order alternating.
 * bench/access-log-ab.sh is the same measurement outside the harness.
 */
import { median } from "./machine.mjs";
import { runH2load } from "./tls.mjs";
import { runWrk, writeWrkScript } from "./wrk.mjs";

const rps = (w) => w.requests / (w.duration_us / 1e6);

/**
 * The median over `pairs` pairs of `rounds` rounds of req/s(`of`) ÷ req/s(`to`), each round
 * `durationSec` long after a warm-up. Resolves with the median and every round's ratio.
 */
export async function pairedRatio({ sc, env, opts, of, to, pairs, rounds = 2, durationSec, log }) {
  const contenders = [of, to].map((id) => {
    const c = sc.contenders.find((x) => x.id === id);
    if (c === undefined) throw new Error(`paired: no contender ${id} in ${sc.id}`);
    return c;
  });
  const ratios = [];
  for (let pair = 0; pair < pairs; pair++) {
    const order = pair % 2 === 0 ? contenders : [...contenders].reverse();
    const servers = new Map();
    try {
      for (const c of order) servers.set(c.id, await c.start(env));
      const load = (c, seconds) => {
        const request = c.request ?? sc.request;
        const common = {
          url: servers.get(c.id).url + request.path,
          durationSec: seconds,
          connections: opts.connections,
          threads: opts.threads,
          cpu: opts.loadCpu,
        };
        return sc.tool === "h2load"
          ? runH2load({ ...common, request })
          : runWrk({ ...common, script: writeWrkScript(env.tmp, `${sc.id}-paired-${c.id}`, request) });
      };
      await Promise.all(order.map((c) => load(c, opts.warmupSec)));
      for (let round = 0; round < rounds; round++) {
        const answers = new Map();
        await Promise.all(order.map(async (c) => answers.set(c.id, await load(c, durationSec))));
        const ratio = rps(answers.get(of)) / rps(answers.get(to));
        ratios.push(ratio);
        log(
          `  paired ${pair + 1}.${round + 1} ${of} ${Math.round(rps(answers.get(of)))} req/s, ${to} ${Math.round(rps(answers.get(to)))} req/s: ${ratio.toFixed(3)}`,
        );
      }
    } finally {
      await Promise.all([...servers.values()].map((s) => s.stop()));
    }
  }
  return { median: median(ratios), ratios };
}
