/**
 * The bundle's entry (dist/clawfix.js, loaded by bin/clawfix.js). `clawfix --version` is answered here,
 * before anything else is imported; every other command loads the CLI (its own chunk) and runs it.
 */
import { VERSION } from '../util/version.js';

const argv = process.argv.slice(2);
if (argv.length === 1 && argv[0] === '--version') {
  process.stdout.write(`${VERSION}\n`);
} else {
  const { run } = await import('./main.js');
  await run();
}
