/** A word for a POSIX shell command line shown to the user: unchanged when safe, else single-quoted. */
export function shellWord(w: string): string {
  return /^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}

/** The clawfix command line that runs `cmd` as the owner of a state dir (by name when known, else by uid). */
export function asOwnerCommand(stateDir: string, owner: { ownerUid: number; ownerName?: string }, cmd: string): string {
  const who = owner.ownerName ?? `'#${owner.ownerUid}'`;
  return `sudo -iu ${who} clawfix --state-dir ${shellWord(stateDir)} ${cmd}`;
}
