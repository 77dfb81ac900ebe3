/**
 * The on-disk journal of a running transaction (<state>/clawfix/journal.json). Written atomically
 * before and after every step, so a clawfix killed with -9 leaves enough behind for the next run to
 * finish the repair or roll it back.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeAtomic } from './fs.js';
import { clawfixDir } from './lock.js';

export type StepState = 'started' | 'done' | 'undone';

export interface Journal {
  version: 1;
  id: string;
  pid: number;
  startedAtMs: number;
  command: 'fix' | 'rollback' | 'edit-config';
  kind: string;
  stateDir: string;
  backupId?: string;
  gatewayWasRunning: boolean | null;
  /** Files the patch writes, with the hash each must have when the patch is complete. */
  expected: { path: string; sha256: string }[];
  steps: Record<string, StepState>;
  order: string[];
  phase: 'applying' | 'rolling-back';
}

export function journalPath(stateDir: string): string {
  return path.join(clawfixDir(stateDir), 'journal.json');
}

export async function writeJournal(j: Journal): Promise<void> {
  await fs.mkdir(clawfixDir(j.stateDir), { recursive: true, mode: 0o700 });
  await writeAtomic(journalPath(j.stateDir), JSON.stringify(j, null, 2) + '\n', 0o600);
}

export async function readJournal(stateDir: string): Promise<Journal | undefined> {
  try {
    const j = JSON.parse(await fs.readFile(journalPath(stateDir), 'utf8')) as Journal;
    return j.version === 1 && typeof j.id === 'string' ? j : undefined;
  } catch {
    return undefined;
  }
}

export async function removeJournal(stateDir: string): Promise<void> {
  await fs.rm(journalPath(stateDir), { force: true });
}

export { pidAlive } from '../util/pid.js';
