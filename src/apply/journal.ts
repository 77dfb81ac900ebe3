/**
 * Writing the journal of a running transaction (format: records/journal.ts). Written atomically before
 * and after every step, so a clawfix killed with -9 leaves enough behind for the next run to finish
 * the repair or roll it back.
 */
import { promises as fs } from 'node:fs';
import { clawfixDir, journalPath, type Journal } from '../records/journal.js';
import type { FaultPort } from './faults.js';
import { mkdirOwned, writeAtomic } from './fs.js';

export type { Journal, StepState } from '../records/journal.js';

export async function writeJournal(j: Journal, faults?: FaultPort): Promise<void> {
  mkdirOwned(clawfixDir(j.stateDir), 0o700);
  await writeAtomic(journalPath(j.stateDir), JSON.stringify(j, null, 2) + '\n', 0o600, faults);
}

export async function removeJournal(stateDir: string): Promise<void> {
  await fs.rm(journalPath(stateDir), { force: true });
}
