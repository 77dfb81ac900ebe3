/**
 * clawfix's version: package.json's, put here by the build (esbuild `define`, scripts/build.mjs).
 * The only place the version is read; `--version` and `--help` both print this.
 */
declare const __CLAWFIX_VERSION__: string;

export const VERSION: string = typeof __CLAWFIX_VERSION__ === 'string' ? __CLAWFIX_VERSION__ : '0.0.0-unbuilt';
