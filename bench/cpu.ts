// Where the CPU went during a load, from /proc (Linux): the server process, the database's
// processes (PostgreSQL's postmaster and its backends), and the whole machine. On a small
// machine the load generator, the server and the database share the same cores, so these
// figures say which of them a result was bounded by.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { cpus } from 'node:os';

const ticksPerSecond = clockTicks();
const coreCount = cpus().length;

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

interface ProcessStat {
  pid: number;
  ppid: number;
  /** User plus system time, in clock ticks. */
  ticks: number;
  /** User plus system time of its children that have exited and been waited for, in clock ticks. */
  exitedChildrenTicks: number;
}

function readStat(pid: number): ProcessStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: split after its last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return {
      pid,
      ppid: Number(fields[1]),
      ticks: Number(fields[11]) + Number(fields[12]),
      exitedChildrenTicks: Number(fields[13]) + Number(fields[14]),
    };
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds used so far by `rootPid` and its direct children, those that have exited included
 * (a PostgreSQL backend exits when the server's pool closes an idle connection: without its time
 * the total would go down).
 */
export function treeCpuSeconds(rootPid: number): number {
  const root = readStat(rootPid);
  let ticks = root ? root.ticks + root.exitedChildrenTicks : 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat && stat.ppid === rootPid) ticks += stat.ticks;
  }
  return ticks / ticksPerSecond;
}

export function processCpuSeconds(pid: number): number {
  return (readStat(pid)?.ticks ?? 0) / ticksPerSecond;
}

/**
 * Busy and total ticks of the whole machine (all cores), from /proc/stat; `interrupts` is the
 * time in hard and soft interrupts (on loopback, most of the network stack), which no process
 * is charged for.
 */
function machineTicks(): { busy: number; total: number; interrupts: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user.
  const total = values.slice(0, 8).reduce((sum, value) => sum + value, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total, interrupts: (values[5] ?? 0) + (values[6] ?? 0) };
}

export interface CpuUse {
  /** Cores kept busy by the server process on average (1.0 = one full core). */
  serverCores: number;
  /** Cores kept busy by the database's processes (PostgreSQL only). */
  databaseCores: number | undefined;
  /** Cores kept busy by this process: the load generator. */
  generatorCores: number;
  /** Cores spent in interrupts (the loopback network stack, mostly). */
  interruptCores: number;
  /** Cores kept busy by everything else on the machine: other people's work, above all. */
  otherCores: number;
  /** Share of all cores busy (everything on the machine, the load generator included). */
  machineBusy: number;
  serverCpuSeconds: number;
  /** The window's length. */
  seconds: number;
}

/** Starts measuring; the returned function ends the window. */
export function cpuWindow(pids: { serverPid?: number | undefined; databasePid?: number | undefined }): () => CpuUse {
  const { serverPid, databasePid } = pids;
  const startedAt = performance.now();
  const server = serverPid === undefined ? 0 : processCpuSeconds(serverPid);
  const database = databasePid === undefined ? undefined : treeCpuSeconds(databasePid);
  const machine = machineTicks();
  const generator = process.cpuUsage();
  return () => {
    const seconds = (performance.now() - startedAt) / 1000;
    const machineNow = machineTicks();
    const generatorUsed = process.cpuUsage(generator);
    const serverCpuSeconds = serverPid === undefined ? 0 : processCpuSeconds(serverPid) - server;
    const serverCores = serverCpuSeconds / seconds;
    const databaseCores = database === undefined ? undefined : (treeCpuSeconds(databasePid!) - database) / seconds;
    const generatorCores = (generatorUsed.user + generatorUsed.system) / 1e6 / seconds;
    const ticks = Math.max(1, machineNow.total - machine.total);
    const machineBusy = (machineNow.busy - machine.busy) / ticks;
    const interruptCores = ((machineNow.interrupts - machine.interrupts) / ticks) * coreCount;
    const otherCores = Math.max(0, machineBusy * coreCount - serverCores - (databaseCores ?? 0) - generatorCores - interruptCores);
    return { serverCores, databaseCores, generatorCores, interruptCores, otherCores, machineBusy, serverCpuSeconds, seconds };
  };
}

/** The share of all cores busy over `ms` milliseconds, before anything runs (a noisy neighbour check). */
export async function machineBusyOver(ms: number): Promise<number> {
  const before = machineTicks();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = machineTicks();
  return (after.busy - before.busy) / Math.max(1, after.total - before.total);
}
