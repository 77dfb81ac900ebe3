/** backup: copy every file the plan touches (or the pre-image of its rows), re-read and checksummed. */
import { createBackup } from '../backup.js';
import { readRows } from '../sqlite.js';
import type { StepDef } from './types.js';

export const backup: StepDef = {
  name: 'backup',
  title: (plan) => (plan.kind === 'config-edit' ? 'Back up the config' : 'Back up what will change'),
  async run(tx) {
    const plan = tx.plan;
    const rows = plan.sqlite ? { db: plan.sqlite.db, images: await readRows(plan.sqlite.db, plan.sqlite.preImage) } : undefined;
    tx.backup = await createBackup({
      stateDir: plan.stateDir,
      id: plan.id,
      reason: plan.title,
      nowMs: tx.ports.now(),
      files: plan.files.map((f) => f.path),
      ...(rows ? { rows } : {}),
      ...(tx.ports.faults ? { faults: tx.ports.faults } : {}),
    });
    tx.journal.backupId = tx.backup.id;
  },
};
