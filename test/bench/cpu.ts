/**
 * Where a step's CPU went, by program, from /proc: what bounds a throughput on a machine whose cores are all busy.
 * A process that exits (a pgbench connection's backend, pgbench itself) hands its CPU to its parent's "children" time
 * when reaped, so each program is counted with its parents' children time: PostgreSQL as every live `postgres`
 * process plus the postmaster's reaped children; a program this process runs as the children time of this process.
 */
import { readdirSync, readFileSync } from "node:fs";

/** Ticks per second of /proc's times (USER_HZ, 100 on Linux). */
const TICKS_PER_S = 100;

interface ProcStat {
  parent: number;
  command: string;
  /** user + system of the process itself */
  ownS: number;
  /** user + system of its children reaped so far */
  childrenS: number;
}

function statOf(pid: number | "self"): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined; // gone meanwhile
  }
  // "pid (command) state ppid …": the command may hold spaces and parentheses, so split after the last ")".
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return {
    parent: Number(fields[1]),
    command: text.slice(text.indexOf("(") + 1, text.lastIndexOf(")")),
    ownS: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S,
    childrenS: (Number(fields[13]) + Number(fields[14])) / TICKS_PER_S,
  };
}

/** CPU seconds of every live process of `command` and of those of its processes already reaped by one of them. */
export function programCpuSeconds(command: string): number {
  let seconds = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = statOf(Number(entry));
    if (stat?.command !== command) continue;
    seconds += stat.ownS;
    // The postmaster reaps its backends; a backend has no children of its own.
    if (statOf(stat.parent)?.command !== command) seconds += stat.childrenS;
  }
  return seconds;
}

/** CPU seconds one process has used since it started (0 once it is gone). */
export function processCpuSeconds(pid: number): number {
  return statOf(pid)?.ownS ?? 0;
}

/** CPU seconds of this process's reaped children (pgbench, ghz, load generators run to completion). */
export function childrenCpuSeconds(): number {
  return statOf("self")?.childrenS ?? 0;
}

/** Runs `step` and gives each counter's CPU (seconds, as `programCpuSeconds` reads them) spent meanwhile, in ms per call. */
export async function cpuMsPerCall<T>(
  counters: Record<string, () => number>,
  step: () => Promise<{ result: T; calls: number }>,
): Promise<{ result: T; cpuMs: Record<string, number> }> {
  const before = Object.fromEntries(Object.entries(counters).map(([name, read]) => [name, read()]));
  const { result, calls } = await step();
  const cpuMs = Object.fromEntries(Object.entries(counters).map(([name, read]) => [name, msPerCall(read() - before[name]!, calls)]));
  return { result, cpuMs };
}

/** CPU seconds spread over calls, in ms per call to two decimals (NaN without calls). */
export function msPerCall(seconds: number, calls: number): number {
  return calls > 0 ? Math.round((1e5 * seconds) / calls) / 100 : NaN;
}
