/** What every command gets: parsed global options, output, the ports, and the use cases' context built from them. */
import type { SnapshotOptions } from '../snapshot/index.js';
import type { AppCtx } from '../usecase/context.js';
import { makeOut, type Out } from './io.js';
import type { Deps } from './ports/types.js';

export type { Deps } from './ports/types.js';

export interface GlobalArgs {
  stateDir?: string;
  profile?: string;
  config?: string;
  logFile?: string;
  openclaw?: string;
  container?: string;
  runtime?: 'docker' | 'podman';
  json: boolean;
  verbose: boolean;
  color: boolean;
}

export interface Ctx {
  args: GlobalArgs;
  out: Out;
  deps: Deps;
  app: AppCtx;
}

export function snapshotOptionsFrom(a: GlobalArgs): SnapshotOptions {
  const o: SnapshotOptions = {};
  if (a.stateDir) o.stateDir = a.stateDir;
  if (a.profile) o.profile = a.profile;
  if (a.config) o.config = a.config;
  if (a.logFile) o.logFile = a.logFile;
  if (a.openclaw) o.openclaw = a.openclaw;
  if (a.container) o.container = a.container;
  if (a.runtime) o.runtime = a.runtime;
  return o;
}

export function makeCtx(deps: Deps, args: GlobalArgs): Ctx {
  const out = makeOut(deps, { json: args.json, verbose: args.verbose, color: args.color, env: deps.env });
  const c = out.colors;
  const app: AppCtx = {
    // CLAWFIX_OPENCLAW_TMP_ROOT: where OpenClaw's `/tmp` is, for sandboxes with their own (and hermetic tests).
    snapshotOptions: { ...snapshotOptionsFrom(args), ...(deps.env.CLAWFIX_OPENCLAW_TMP_ROOT ? { tmpRoot: deps.env.CLAWFIX_OPENCLAW_TMP_ROOT } : {}) },
    configFlag: !!args.config,
    env: deps.env,
    now: deps.now,
    signals: deps.signals,
    ...(deps.faults ? { faults: deps.faults } : {}),
    log: (msg, tone) => out.info(tone === 'warn' ? msg.replace(/^(\S+:)/, (m) => c.yellow(m)) : tone === 'dim' ? c.dim(msg) : msg),
    learnSecrets: (secrets) => out.redactor.learn(secrets),
  };
  return { args, out, deps, app };
}
