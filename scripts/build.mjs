#!/usr/bin/env node
/**
 * `npm run build` (and `prepack`): bundles src/ into dist/ with esbuild, the only thing the package
 * ships besides bin/clawfix.js, package.json and the README.
 *
 *   dist/clawfix.js                   the entry (src/cli/entry.ts): answers --version, else loads the CLI
 *   dist/chunks/*.js                  split chunks: every `await import()` in src/ stays lazy
 *   dist/THIRD-PARTY-NOTICES.txt      name, version, licence and licence text of every bundled package
 *
 * Minified ESM for Node >= 22.12, no source maps, no runtime dependencies: the libraries in
 * package.json's devDependencies are build inputs. Three things a plain bundle gets wrong, handled here:
 *   - CommonJS libraries (write-file-atomic, proper-lockfile and theirs) call `require()` and read
 *     `__filename`: every output file gets a `require` made by createRequire, and `__filename` is
 *     defined as the output file's own path (write-file-atomic only hashes it into temp file names).
 *   - yargs looks for its locale files next to its own module; clawfix pins yargs to English (its own
 *     texts are English), and the lookup is pointed inside this package (dist/locales, which does not
 *     exist, so yargs keeps its built-in English strings) instead of a path outside it.
 *   - the version: package.json's, defined once as __CLAWFIX_VERSION__ (read by src/version.ts).
 * Two things it makes faster (below): string-width is loaded only for text that is not plain ASCII, and
 * node:http is required instead of imported (its ESM facade loads undici).
 *
 *   node scripts/build.mjs [--metafile]    --metafile: also write dist/meta.json (not shipped) for size analysis
 */
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'dist');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/** yargs' ESM platform shim resolves its locales from its own file; keep that lookup inside the package. */
const yargsLocales = {
  name: 'yargs-locales',
  setup(build) {
    build.onLoad({ filter: /[\\/]yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/ }, async (args) => {
      const text = await fs.promises.readFile(args.path, 'utf8');
      const from = "resolve(__dirname, '../../../locales')";
      if (!text.includes(from)) throw new Error(`${args.path}: the locale directory expression changed (expected ${from}); check yargs' shim`);
      return { contents: text.replace(from, "resolve(__dirname, '../locales')"), loader: 'js' };
    });
  },
};

/**
 * yargs builds the whole help text of a command every time it runs one (command.js: cacheHelpMessage
 * right after calling the handler), so that a failure after the handler started can still print that
 * command's help. clawfix never asks yargs for help after a command started (its .fail() rethrows, its
 * errors have one exit point), and the text cost ~8 ms of every `diagnose` and `fix` start (cliui
 * layout of every option, measured in bench/coldstart.mjs). The call is dropped from the bundle;
 * `--help` and usage errors, which build their help on demand, are untouched.
 */
const yargsNoEagerHelp = {
  name: 'yargs-no-eager-help',
  setup(build) {
    build.onLoad({ filter: /[\\/]yargs[\\/]build[\\/]lib[\\/]command\.js$/ }, async (args) => {
      const text = await fs.promises.readFile(args.path, 'utf8');
      const call = 'yargs.getInternalMethods().getUsageInstance().cacheHelpMessage();';
      if (text.split(call).length !== 2) throw new Error(`${args.path}: expected one \`${call}\`; check yargs' command runner`);
      return { contents: text.replace(call, '/* help built on demand only (scripts/build.mjs) */'), loader: 'js' };
    });
  },
};

/**
 * string-width (v7 under cliui and wrap-ansi, v8 under yargs) builds an Intl.Segmenter as it is
 * imported, and a Segmenter's first construction loads ICU's break-iterator data: measured as the
 * largest single cost of every clawfix start (see README "Performance"), while everything yargs measures
 * is clawfix's plain-ASCII help. Each `import 'string-width'` gets a stand-in that answers printable
 * ASCII itself (its width is its length, which is what string-width returns for it) and loads the real
 * package, the very version the importer asked for, on the first string that is anything else.
 */
const lazyStringWidth = {
  name: 'lazy-string-width',
  setup(build) {
    build.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData === 'real') return undefined; // the lookup below: esbuild's own resolution
      const real = await build.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: 'real' });
      if (real.errors.length) return { errors: real.errors };
      return { path: real.path, namespace: 'lazy-string-width' };
    });
    build.onLoad({ filter: /.*/, namespace: 'lazy-string-width' }, (args) => ({
      // CommonJS, so both kinds of importer get the function itself (an ESM default import, and the
      // require() of string-width@4's users); require() of the real module makes esbuild initialise
      // that module on its first use instead of at start.
      contents: `let real;
function stringWidth(text, options) {
  if (typeof text === 'string' && /^[\\x20-\\x7e]*$/.test(text)) return text.length;
  real ??= require(${JSON.stringify(args.path)});
  return (typeof real === 'function' ? real : real.default)(text, options);
}
module.exports = stringWidth;
module.exports.default = stringWidth;
`,
      resolveDir: path.dirname(args.path),
      loader: 'js',
    }));
  },
};

/**
 * `import http from 'node:http'` makes Node build the module's ESM facade, which reads every export,
 * including the lazy getters that load undici (Node's fetch/WebSocket): measured 60–150 ms on Node 24
 * and 22.12, against ~7 ms for the same module through require(). clawfix only needs http.get for its
 * /healthz probe, so node:http is taken through require() (the banner's createRequire).
 */
const httpThroughRequire = {
  name: 'http-through-require',
  setup(build) {
    build.onResolve({ filter: /^(node:)?http$/ }, (args) =>
      args.namespace === 'http-through-require' ? { path: 'node:http', external: true } : { path: 'node:http', namespace: 'http-through-require' },
    );
    build.onLoad({ filter: /.*/, namespace: 'http-through-require' }, () => ({ contents: "module.exports = require('node:http');", loader: 'js' }));
  },
};

const started = performance.now();
fs.rmSync(DIST, { recursive: true, force: true });
const result = await esbuild.build({
  absWorkingDir: ROOT,
  entryPoints: { clawfix: 'src/cli/entry.ts' },
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22.12',
  minify: true,
  sourcemap: false,
  legalComments: 'none', // the licences go to THIRD-PARTY-NOTICES.txt, whole
  metafile: true,
  logLevel: 'warning',
  banner: { js: 'import{createRequire as __clawfixCreateRequire}from"node:module";const require=__clawfixCreateRequire(import.meta.url);' },
  define: {
    __CLAWFIX_VERSION__: JSON.stringify(pkg.version),
    __filename: 'import.meta.filename',
  },
  plugins: [yargsLocales, yargsNoEagerHelp, lazyStringWidth, httpThroughRequire],
});

// ---- licence notices -----------------------------------------------------------------------------
/** The package directory of a bundled input under node_modules (scoped names included). */
function packageDirOf(input) {
  const parts = input.split('/');
  const i = parts.lastIndexOf('node_modules');
  if (i === -1) return undefined;
  const n = parts[i + 1]?.startsWith('@') ? 2 : 1;
  return parts.slice(0, i + 1 + n).join('/');
}

const dirs = new Set();
for (const input of Object.keys(result.metafile.inputs)) {
  if (/^[a-z-]+:/.test(input)) continue; // a plugin's stand-in module (its real package is an input too)
  const d = packageDirOf(input);
  if (d) dirs.add(d);
}
const notices = [];
const missing = [];
for (const dir of [...dirs].sort()) {
  const p = JSON.parse(fs.readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8'));
  const file = fs.readdirSync(path.join(ROOT, dir)).find((f) => /^(licen[cs]e|copying)([-.][a-z0-9]+)*(\.(md|txt|markdown))?$/i.test(f));
  if (!file) {
    missing.push(`${p.name}@${p.version}`);
    continue;
  }
  const text = fs.readFileSync(path.join(ROOT, dir, file), 'utf8').trim();
  notices.push(`${'='.repeat(78)}\n${p.name}@${p.version} (${p.license ?? 'licence in the text below'})\n${'='.repeat(78)}\n\n${text}\n`);
}
if (missing.length) {
  console.error(`build: no licence file in ${missing.join(', ')}; a bundled package's notice must ship`);
  process.exit(1);
}
fs.writeFileSync(
  path.join(DIST, 'THIRD-PARTY-NOTICES.txt'),
  `clawfix ${pkg.version} bundles the following packages (dist/clawfix.js and dist/chunks/). Their licences:\n\n${notices.join('\n')}`,
);
if (process.argv.includes('--metafile')) fs.writeFileSync(path.join(DIST, 'meta.json'), JSON.stringify(result.metafile));

const outputs = Object.entries(result.metafile.outputs);
const bytes = outputs.reduce((a, [, o]) => a + o.bytes, 0);
console.error(`build: dist/ ${outputs.length} files, ${(bytes / 1024).toFixed(0)} KiB, ${dirs.size} bundled packages, ${Math.round(performance.now() - started)} ms`);
