/** What the figures were measured on: CPU model, cores, RAM, Node, nginx and wrk versions, load. */
import { spawnSync } from "node:child_process";
import { cpus, loadavg, totalmem } from "node:os";

function firstLine(command, args) {
  const r = spawnSync(command, args, { encoding: "utf8" });
  if (r.error) return null;
  return `${r.stdout ?? ""}\n${r.stderr ?? ""}`.trim().split("\n")[0] ?? null;
}

export function machineInfo() {
  const lscpu = spawnSync("lscpu", [], { encoding: "utf8" }).stdout ?? "";
  const model = /^Model name:\s*(.+)$/m.exec(lscpu)?.[1]?.trim() ?? cpus()[0]?.model ?? "unknown";
  const nginx = firstLine("nginx", ["-v"]);
  const wrk = firstLine("wrk", ["-v"]);
  return {
    cpuModel: model,
    cores: cpus().length,
    ramGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    nginx: nginx ? (/nginx\/(\S+)/.exec(nginx)?.[1] ?? nginx) : "not installed",
    wrk: wrk ? (/^wrk (\S+)/.exec(wrk)?.[1] ?? wrk) : "not installed",
    kernel: firstLine("uname", ["-r"]) ?? "unknown",
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/** One line for the report. */
export function describeMachine(m) {
  return `${m.cpuModel}, ${m.cores} CPUs, ${m.ramGiB} GiB RAM, Linux ${m.kernel}, Node ${m.node}, nginx ${m.nginx}, wrk ${m.wrk}`;
}

export function median(values) {
  const v = values.filter((x) => typeof x === "number" && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}
