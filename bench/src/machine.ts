/**
 * What the machine is and how busy it was. Memory of a process comes from /proc/<pid>/status (VmRSS now, VmHWM
 * its peak). "Other work" is the CPU the whole machine spent (/proc/stat) minus what this harness and the
 * processes it started and reaped spent (/proc/self/stat, own and children's times): on a shared machine it
 * says how much of the two cores the benchmark did not have.
 */
import fs from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
  kernel: string;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    kernel: os.release(),
  };
}

/** Resident set size of `pid` in MB (10^6 bytes): now and the peak over the process's life. */
export function memoryOf(pid: number): { rssMB: number; peakMB: number } | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMB: (kb('VmRSS') * 1024) / 1e6, peakMB: (kb('VmHWM') * 1024) / 1e6 };
  } catch {
    return null;
  }
}

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU time (user and system) that `pid` has used so far, in milliseconds; NaN once it is gone. */
export function cpuMsOf(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    // utime and stime are the 14th and 15th fields; rest starts at the 3rd.
    return ((rest[11]! + rest[12]!) * 1000) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** Samples a process's RSS every `intervalMs` until stopped; keeps the series for the plot. */
export class RssSampler {
  readonly samples: Array<{ at: number; rssMB: number }> = [];
  #timer: NodeJS.Timeout;
  #peak = 0;

  constructor(
    private readonly pid: number,
    intervalMs = 250,
  ) {
    const started = Date.now();
    this.#timer = setInterval(() => {
      const memory = memoryOf(this.pid);
      if (!memory) return;
      this.#peak = Math.max(this.#peak, memory.peakMB);
      this.samples.push({ at: (Date.now() - started) / 1000, rssMB: Math.round(memory.rssMB) });
    }, intervalMs);
  }

  /** Stops sampling; returns the highest VmHWM seen (the process's peak RSS up to the last sample). */
  stop(): number {
    clearInterval(this.#timer);
    const last = memoryOf(this.pid);
    if (last) this.#peak = Math.max(this.#peak, last.peakMB);
    return Math.round(this.#peak);
  }
}

interface CpuSnapshot {
  /** Machine-wide busy and total time, in clock ticks. */
  busy: number;
  total: number;
  /** This process's and its reaped children's CPU time, in clock ticks. */
  ours: number;
  at: number;
}

function snapshot(): CpuSnapshot {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.slice(0, 8).reduce((sum, value) => sum + value, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  const self = fs.readFileSync('/proc/self/stat', 'utf8');
  // Fields after the command name (which may contain spaces): utime is the 14th field, cstime the 17th.
  const rest = self
    .slice(self.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  const ours = rest[11]! + rest[12]! + rest[13]! + rest[14]!;
  return { busy: total - idle, total, ours, at: Date.now() };
}

export interface Load {
  /** Average cores busy with work that was not this benchmark's, over the window. */
  otherCores: number;
  /** Average cores used by the benchmark's own processes (harness, Herald, receiver, clients). */
  benchCores: number;
  loadAverage1m: number;
}

/** Measures how busy the machine was between `start()` and the returned function's call. */
export function measureLoad(): () => Load {
  const before = snapshot();
  return () => {
    const after = snapshot();
    const cores = os.cpus().length;
    const ticks = (after.total - before.total) / cores;
    if (ticks <= 0) return { otherCores: 0, benchCores: 0, loadAverage1m: os.loadavg()[0]! };
    const busy = (after.busy - before.busy) / ticks;
    const ours = (after.ours - before.ours) / ticks;
    return {
      otherCores: Math.max(0, Math.round((busy - ours) * 100) / 100),
      benchCores: Math.round(ours * 100) / 100,
      loadAverage1m: Math.round(os.loadavg()[0]! * 100) / 100,
    };
  };
}
