import fs from 'node:fs';
import path from 'node:path';
import { execaSync } from 'execa';

export interface PidRecord {
  gatewayPid: number;
  childPid: number;
  binaryPath: string;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function commandLineOf(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    const run = execaSync('ps', ['-o', 'command=', '-p', String(pid)], { reject: false });
    return run.exitCode === 0 ? String(run.stdout) : undefined;
  }
}

export function writePidRecord(file: string, record: PidRecord): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(record));
}

export function removePidRecord(file: string): void {
  fs.rmSync(file, { force: true });
}

// A gateway killed with SIGKILL cannot stop its llama-server; the next start on the same port does.
// Only a process that is still the llama-server we started (same binary on its command line) is killed.
export function reapOrphan(file: string): number | undefined {
  let record: PidRecord;
  try {
    record = JSON.parse(fs.readFileSync(file, 'utf8')) as PidRecord;
  } catch {
    return undefined;
  }
  if (record.gatewayPid !== process.pid && isAlive(record.gatewayPid)) return undefined;
  let reaped: number | undefined;
  if (isAlive(record.childPid) && commandLineOf(record.childPid)?.includes(record.binaryPath)) {
    try {
      process.kill(-record.childPid, 'SIGKILL');
    } catch {
      process.kill(record.childPid, 'SIGKILL');
    }
    reaped = record.childPid;
  }
  removePidRecord(file);
  return reaped;
}
