/**
 * A gateway that is a container's main process, driven the container's way from the host, through the
 * runtime's CLI (`docker` or `podman`, same commands):
 *   stop     `<cli> stop -t <s> <name>`: SIGTERM to the main process, SIGKILL after <s> seconds (always
 *            with -t: docker's CLI through podman's API sends SIGKILL at once without it), then wait
 *            until the port is free
 *   start    `<cli> start <name>`, then wait until /healthz answers
 *   approve  `<cli> exec <name> openclaw devices approve <id>`: OpenClaw's own CLI inside the container,
 *            as the container's user (the state's owner), against the gateway it shares a network with
 * The same container is stopped and started again — never its process by pid, never a second gateway
 * on the host.
 */
import { probeGateway } from '../openclaw/gateway-probe.js';
import type { RuntimeCli } from '../openclaw/container-runtime.js';
import { ClawfixError } from '../util/errors.js';
import { pollUntil } from '../util/poll.js';
import type { GatewayControl } from './gateway.js';

export interface ContainerControlOptions {
  cli: RuntimeCli;
  /** Name (or id) of the container. */
  container: string;
  port: number;
  /** The complete environment for the runtime's CLI (clawfix's env port). */
  env: Record<string, string | undefined>;
  stopTimeoutMs: number;
  startTimeoutMs: number;
}

/** Ways to run OpenClaw's CLI in a container, tried in order (`openclaw` on PATH, the package's entry in the image's workdir). */
const OPENCLAW_IN_CONTAINER = [['openclaw'], ['node', 'openclaw.mjs'], ['node', 'dist/index.js']];
/** The runtime could not find the executable in the container (docker: exit 126/127, podman: 127). */
const NOT_FOUND = /executable file not found|no such file or directory|not found in \$PATH/i;

interface Ran {
  exitCode: number;
  stdout: string;
  stderr: string;
}

const lastLine = (r: Ran) => (r.stderr.trim() || r.stdout.trim()).split('\n').pop()?.slice(0, 300) ?? '';

/** The runtime's CLI through execa: bounded, cancellable, its exit code returned (a missing CLI and a timeout throw). */
function runtimeRunner(o: ContainerControlOptions) {
  const run = async (args: string[], timeoutMs: number, signal?: AbortSignal): Promise<Ran> => {
    const { execa } = await import('execa');
    const r = await execa(o.cli, args, { env: o.env, extendEnv: false, reject: false, stdin: 'ignore', timeout: timeoutMs, ...(signal ? { cancelSignal: signal } : {}) });
    if (r.isCanceled) throw Object.assign(new Error('interrupted'), { name: 'AbortError' });
    if ((r as { code?: string }).code === 'ENOENT' || (r.failed && r.exitCode === undefined && !r.timedOut && !r.signal)) {
      throw new ClawfixError(`cannot run \`${o.cli}\`: it is not on PATH`, { hint: `install ${o.cli}, or pass --runtime docker|podman` });
    }
    if (r.timedOut) throw Object.assign(new ClawfixError(`\`${o.cli} ${args.join(' ')}\` did not finish within ${Math.round(timeoutMs / 1000)} s`), { timedOut: true });
    return { exitCode: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) };
  };
  const must = async (args: string[], timeoutMs: number, signal?: AbortSignal): Promise<string> => {
    const r = await run(args, timeoutMs, signal);
    if (r.exitCode !== 0) throw new ClawfixError(`\`${o.cli} ${args.join(' ')}\` failed (exit ${r.exitCode})${lastLine(r) ? `: ${lastLine(r)}` : ''}`);
    return r.stdout;
  };
  return { run, must };
}

/** OpenClaw's CLI inside the running container; the way that worked once is kept. */
function openclawIn(o: ContainerControlOptions, run: ReturnType<typeof runtimeRunner>['run']) {
  let found: string[] | undefined;
  return async (args: string[], signal?: AbortSignal): Promise<string> => {
    let last = '';
    for (const cmd of found ? [found] : OPENCLAW_IN_CONTAINER) {
      const r = await run(['exec', o.container, ...cmd, ...args], Math.max(o.startTimeoutMs, 60_000), signal);
      if ((r.exitCode === 126 || r.exitCode === 127) && NOT_FOUND.test(`${r.stderr}\n${r.stdout}`)) {
        last = `${r.stderr}\n${r.stdout}`;
        continue;
      }
      found = cmd;
      if (r.exitCode !== 0) throw new ClawfixError(`\`${o.cli} exec ${o.container} ${[...cmd, ...args].join(' ')}\` failed (exit ${r.exitCode})${lastLine(r) ? `: ${lastLine(r)}` : ''}`);
      return r.stdout;
    }
    const tried = OPENCLAW_IN_CONTAINER.map((c) => c.join(' ')).join(', ');
    throw new ClawfixError(`OpenClaw's CLI was not found in container ${o.container} (${tried})${last.trim() ? `: ${last.trim().split('\n').pop()}` : ''}`);
  };
}

export function containerGatewayControl(o: ContainerControlOptions): GatewayControl {
  const stopSecs = Math.max(1, Math.round(o.stopTimeoutMs / 1000));
  const { run, must } = runtimeRunner(o);
  const openclaw = openclawIn(o, run);
  let stopIssued = false;
  const isUp = async () => {
    const p = await probeGateway(o.port, 800);
    return p.live ? true : p.running === false ? false : null;
  };
  const state = async (): Promise<string | undefined> => {
    const r = await run(['inspect', '--type', 'container', '--format', '{{.State.Status}}', o.container], 30_000);
    return r.exitCode === 0 ? r.stdout.trim() : undefined;
  };
  const waitFor = (up: boolean, timeoutMs: number, signal?: AbortSignal) => pollUntil(async () => (await isUp()) === up, { timeoutMs, ...(signal ? { signal } : {}) });
  return {
    isUp,
    stopIssued: () => stopIssued,
    forgetForeground: async () => {},
    async stop(signal) {
      // From here the stop may reach the gateway, even if this call is interrupted or fails: a rollback
      // then waits for it to settle and starts the container again.
      stopIssued = true;
      // `stop -t N` waits up to N s for the main process after SIGTERM, then SIGKILLs it; give it that long plus a margin.
      await must(['stop', '-t', String(stopSecs), o.container], o.stopTimeoutMs + 30_000, signal);
      // The container is down when the runtime says so; the gateway when its port is free.
      if (!(await waitFor(false, o.stopTimeoutMs, signal))) throw new ClawfixError(`container ${o.container} is stopped but 127.0.0.1:${o.port} still answers: another gateway holds the port`);
    },
    async start(signal) {
      const st = await state();
      if (st === undefined) throw new ClawfixError(`container ${o.container} no longer exists; it cannot be started again`, { hint: 'recreate it (e.g. `docker compose up -d`), then run clawfix again' });
      if (st !== 'running') await must(['start', o.container], o.startTimeoutMs, signal);
      if (await waitFor(true, o.startTimeoutMs, signal)) return;
      const now = await state();
      throw new ClawfixError(
        `the gateway in container ${o.container} did not answer on 127.0.0.1:${o.port} within ${Math.round(o.startTimeoutMs / 1000)} s after \`${o.cli} start\` (container ${now ?? 'gone'})`,
        { hint: `see \`${o.cli} logs ${o.container}\`` },
      );
    },
    async approve(requestId, signal) {
      await openclaw(['devices', 'approve', requestId], signal);
    },
    describe: () => ({
      stop: `${o.cli} stop -t ${stopSecs} ${o.container}`,
      start: `${o.cli} start ${o.container}`,
      approve: (id) => `${o.cli} exec ${o.container} openclaw devices approve ${id}`,
    }),
  };
}
