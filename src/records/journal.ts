/**
 * clawfix's own records in an OpenClaw state dir, below everything that reads them: where they live,
 * and the journal of a running transaction (<state>/clawfix/journal.json), its format and its reader.
 * The writer is apply/journal.ts; the snapshot and the recovery read it here.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

export function clawfixDir(stateDir: string): string {
  return path.join(stateDir, 'clawfix');
}

export function journalPath(stateDir: string): string {
  return path.join(clawfixDir(stateDir), 'journal.json');
}

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

export async function readJournal(stateDir: string): Promise<Journal | undefined> {
  try {
    const j = JSON.parse(await fs.readFile(journalPath(stateDir), 'utf8')) as Journal;
    return j.version === 1 && typeof j.id === 'string' ? j : undefined;
  } catch {
    return undefined;
  }
}
