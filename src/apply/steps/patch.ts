/** patch: write the repair (files and/or rows); undone by restoring the backup. */
import type { StepDef } from './types.js';
import { undoWrite, writeChanges } from './write.js';

export const patch: StepDef = {
  name: 'patch',
  journaled: true, // recovery finishes a repair whose store change is done, and restores the backup otherwise
  title: (plan) => (plan.kind === 'config-edit' ? 'Install the edited config' : 'Patch the store'),
  run: (tx) => writeChanges(tx),
  undo: (tx) => undoWrite(tx),
};
