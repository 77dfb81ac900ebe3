/** restore: write a backup's content back (a rollback plan's change); undone by restoring the state saved just before. */
import type { StepDef } from './types.js';
import { undoWrite, writeChanges } from './write.js';

export const restore: StepDef = {
  name: 'restore',
  journaled: true, // recovery finishes a repair whose store change is done, and restores the backup otherwise
  title: () => 'Restore the backup',
  run: (tx) => writeChanges(tx),
  undo: (tx) => undoWrite(tx),
};
