/**
 * clawfix's version: package.json's. The build puts it here (esbuild `define` of __CLAWFIX_VERSION__,
 * scripts/build.mjs); unbundled (the in-process specs) it is read from package.json itself. The only
 * place the version comes from; `--version` (src/cli/entry.ts, and yargs in src/cli/main.ts) prints this.
 */
import { readFileSync } from 'node:fs';

declare const __CLAWFIX_VERSION__: string | undefined;

export const VERSION: string =
  typeof __CLAWFIX_VERSION__ === 'string' ? __CLAWFIX_VERSION__ : (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
