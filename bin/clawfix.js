#!/usr/bin/env node
// Tiny launcher: refuse unsupported Node versions with a readable message, then load the built CLI.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(
    `clawfix needs Node.js 22.12 or newer (this is ${process.version}). OpenClaw itself needs the same; upgrade Node and run again.\n`,
  );
  process.exit(2);
}
// node:sqlite still prints an ExperimentalWarning on some Node versions; it is noise for users.
const emitWarning = process.emitWarning;
process.emitWarning = function (warning, ...rest) {
  const text = typeof warning === 'string' ? warning : warning?.message;
  if (typeof text === 'string' && text.includes('SQLite')) return;
  return emitWarning.call(process, warning, ...rest);
};
// The bundle (npm run build): answers --version at once, loads the rest of the CLI only for a command.
await import('../dist/clawfix.js');
