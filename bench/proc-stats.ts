import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

// A process's own accounting, read from /proc: no cooperation (and no change) from the gateway.

/** CPU time and resident memory of one process (all its threads) or a group of processes. */
export interface ProcessSample {
  /** utime + stime, in microseconds. */
  cpuMicroseconds: number;
  /** stime alone (the kernel's share: syscalls, network stack), in microseconds. */
  systemMicroseconds: number;
  /** VmRSS, in bytes. */
  rssBytes: number;
}

let clockTicks: number | undefined;

/** Clock ticks per second, the unit of utime and stime in /proc/<pid>/stat. */
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    } catch {
      clockTicks = 100;
    }
    if (!Number.isFinite(clockTicks) || clockTicks <= 0) clockTicks = 100;
  }
  return clockTicks;
}

/** The resolution of a CPU time reading, in microseconds. */
export function cpuResolutionMicroseconds(): number {
  return 1_000_000 / ticksPerSecond();
}

/** Reads utime + stime (fields 14 and 15 of /proc/<pid>/stat) and VmRSS of /proc/<pid>/status. */
export function sampleProcess(pid: number): ProcessSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses; fields resume after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  return {
    cpuMicroseconds: ((utime + stime) * 1_000_000) / ticksPerSecond(),
    systemMicroseconds: (stime * 1_000_000) / ticksPerSecond(),
    rssBytes: rss?.[1] === undefined ? 0 : Number(rss[1]) * 1024,
  };
}

/** The sum over several processes (nginx's master and workers). */
export function sampleProcesses(pids: readonly number[]): ProcessSample {
  let cpuMicroseconds = 0;
  let systemMicroseconds = 0;
  let rssBytes = 0;
  for (const pid of pids) {
    try {
      const sample = sampleProcess(pid);
      cpuMicroseconds += sample.cpuMicroseconds;
      systemMicroseconds += sample.systemMicroseconds;
      rssBytes += sample.rssBytes;
    } catch {
      // A process that exited meanwhile counts for nothing.
    }
  }
  return { cpuMicroseconds, systemMicroseconds, rssBytes };
}

/** The pids whose parent is `parentPid` (nginx's workers), found by scanning /proc. */
export function childrenOf(parentPid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === parentPid) children.push(Number(entry));
    } catch {
      // Gone between the listing and the read.
    }
  }
  return children;
}

/** How many file descriptors a process holds (entries of /proc/<pid>/fd). */
export function openFileCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

/** The soft limit on open files of this process (children inherit it). */
export function openFileLimit(): number | undefined {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const match = /^Max open files\s+(\d+|unlimited)/m.exec(limits);
    if (match?.[1] === undefined) return undefined;
    return match[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(match[1]);
  } catch {
    return undefined;
  }
}

/** Samples RSS every `intervalMilliseconds` until stopped; reports the largest value seen. */
export function watchPeakRss(
  pids: () => readonly number[],
  intervalMilliseconds = 200,
): { stop(): number } {
  let peak = sampleProcesses(pids()).rssBytes;
  const timer = setInterval(() => {
    peak = Math.max(peak, sampleProcesses(pids()).rssBytes);
  }, intervalMilliseconds);
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, sampleProcesses(pids()).rssBytes);
      return peak;
    },
  };
}
