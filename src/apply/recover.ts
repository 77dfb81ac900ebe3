/**
 * Crash recovery: a journal left by a clawfix that is no longer running means a transaction was cut
 * short (kill -9, power loss). If the patch had completed, the repair is finished (gateway started,
 * result checked); otherwise the backup is restored. Either way the gateway ends as it was found.
 */
import { promises as fs } from 'node:fs';
import { ClawfixError, EXIT } from '../util/errors.js';
import { sha256 } from '../util/hash.js';
import { loadBackup, restoreFilesFromBackup } from './backup.js';
import type { FaultPort } from './faults.js';
import type { GatewayControl } from './gateway.js';
import { readJournal, type Journal } from '../records/journal.js';
import { pidAlive } from '../util/pid.js';
import { removeJournal } from './journal.js';
import { acquireLock } from './lock.js';
import { restoreRows } from './sqlite.js';

export interface RecoveryReport {
  journal: Journal;
  action: 'finished' | 'rolled-back' | 'nothing-changed';
  messages: string[];
}

async function filesMatch(expected: Journal['expected']): Promise<boolean> {
  for (const e of expected) {
    try {
      if (sha256(await fs.readFile(e.path)) !== e.sha256) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** Returns undefined when there is nothing to recover. Throws when another clawfix is still running. */
export async function recoverIfNeeded(stateDir: string, gateway: GatewayControl, opts: { dryRun: boolean; faults?: FaultPort }): Promise<RecoveryReport | undefined> {
  const j = await readJournal(stateDir);
  if (!j) return undefined;
  if (j.pid !== process.pid && pidAlive(j.pid)) {
    throw new ClawfixError(`another clawfix (pid ${j.pid}) is in the middle of a repair of this state dir`, { hint: 'wait for it to finish' });
  }
  if (opts.dryRun) {
    throw new ClawfixError(`an interrupted clawfix ${j.command} (${j.id}) must be recovered before anything else; --dry-run changes nothing`, {
      hint: 'run `clawfix fix --yes` (or any clawfix command without --dry-run) to finish or roll it back',
      exitCode: EXIT.PROBLEM,
    });
  }
  const release = await acquireLock(stateDir, { force: true });
  const messages: string[] = [];
  try {
    const patchState = j.steps.patch ?? j.steps.restore ?? j.steps.approve;
    let action: RecoveryReport['action'] = 'nothing-changed';
    const patchDone = patchState === 'done';
    // A transaction that was already rolling back (a later step failed) is never "finished": its
    // changes failed verification or a later step, so the recovery completes the rollback instead.
    const rollingBack = j.phase === 'rolling-back';
    const complete = !rollingBack && patchDone && (j.expected.length === 0 || (await filesMatch(j.expected)));
    if (patchState && patchState !== 'undone') {
      if (complete) {
        action = 'finished';
        messages.push(`the interrupted ${j.command} ${j.id} had written its changes completely; finishing it`);
      } else if (j.backupId) {
        const m = await loadBackup(stateDir, j.backupId);
        if (j.gatewayWasRunning !== false && (await gateway.isUp()) === true && m.files.length) await gateway.stop();
        await restoreFilesFromBackup(stateDir, m, opts.faults);
        if (m.rows) await restoreRows(m.rows.db, m.rows.images, opts.faults);
        action = 'rolled-back';
        const why = rollingBack ? 'had failed and was rolling back' : 'was cut off while writing';
        messages.push(`the interrupted ${j.command} ${j.id} ${why}; restored backup ${m.id} (${m.files.map((f) => f.path).concat(m.rows ? [`${m.rows.images.length} row(s) of ${m.rows.db}`] : []).join(', ')})`);
      }
    } else {
      messages.push(`the interrupted ${j.command} ${j.id} ${patchState === 'undone' ? 'had already undone its changes' : 'had not changed the store yet'}`);
    }
    const needUp = j.gatewayWasRunning === true || (action === 'finished' && j.kind === 'restart');
    if (needUp && (await gateway.isUp()) !== true) {
      await gateway.start();
      messages.push('started the gateway again');
    }
    await removeJournal(stateDir);
    return { journal: j, action, messages };
  } finally {
    await release();
  }
}
