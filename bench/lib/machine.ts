import { execFileSync } from 'node:child_process';
import os from 'node:os';

export interface MachineFacts {
  cpus: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  loadAverage: number[];
  /** The busiest processes that are not this run's (the machine may be shared). */
  otherBusy: string[];
}

export function machineFacts(ownPids: number[]): MachineFacts {
  let otherBusy: string[] = [];
  try {
    const ps = execFileSync('ps', ['-eo', 'pid,ppid,pcpu,comm', '--sort=-pcpu'], { encoding: 'utf8' }).split('\n').slice(1);
    otherBusy = ps.map((l) => l.trim().split(/\s+/)).filter((f) => f.length >= 4 && Number(f[2]) >= 5 && !ownPids.includes(Number(f[0])) && !ownPids.includes(Number(f[1])))
      .slice(0, 8).map((f) => `${f[3]} ${f[2]}%`);
  } catch {
    // ps missing: the load average still tells.
  }
  return {
    cpus: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`, node: process.version, loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100), otherBusy,
  };
}
