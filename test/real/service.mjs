/**
 * The end-to-end harness's stand-in for the OS service manager, installed first on PATH as `openclaw`
 * (through a tiny sh launcher that sets CLAWFIX_E2E_SERVICE_DIR).
 *
 * The real `openclaw gateway stop|start` manage a systemd/launchd service; in an isolated state dir on a
 * CI machine there is none (2026.7.35's `start` then prints "Gateway service disabled." and exits 0, its
 * `stop` signals whatever listens on the port). So, like systemd would:
 *   gateway start    spawn the REAL `openclaw gateway run` detached, with the service's fixed environment
 *                    (service.json), output appended to console.log; record its pid (gateway.pid, pids.log)
 *   gateway stop     SIGTERM that pid and wait until it has exited (SIGKILL after 60 s)
 *   gateway restart  stop, then start
 * Everything else (`--version`, `devices list|approve`, `gateway status`, …) runs the real CLI with the
 * caller's environment, kept offline by the same DNS preload. Every call is appended to calls.log.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { alive, livePids } from './processes.mjs';

const dir = process.env.CLAWFIX_E2E_SERVICE_DIR;
if (!dir) {
  process.stderr.write('service.mjs: CLAWFIX_E2E_SERVICE_DIR is not set\n');
  process.exit(2);
}
/** @type {{ node: string, pkgDir: string, preload: string, env: Record<string, string> }} */
const svc = JSON.parse(fs.readFileSync(path.join(dir, 'service.json'), 'utf8'));
const pidFile = path.join(dir, 'gateway.pid');
const args = process.argv.slice(2);
const positional = args.filter((a) => !a.startsWith('-'));

fs.appendFileSync(path.join(dir, 'calls.log'), `${new Date().toISOString()} ${args.join(' ')}\n`);


/** The pid in gateway.pid, if that process is alive and is ours (its environment names this service dir). */
function ourPid() {
  let pid;
  try {
    pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return undefined;
  try {
    if (!fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`CLAWFIX_E2E_SERVICE_DIR=${dir}`)) return undefined;
  } catch {
    /* not Linux /proc: trust the pid file */
  }
  return pid;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function stop() {
  const pid = ourPid();
  if (!pid) {
    fs.rmSync(pidFile, { force: true });
    console.log('openclaw-gateway (e2e service): already stopped');
    return 0;
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 60_000;
  while (alive(pid) && Date.now() < deadline) await sleep(100);
  if (alive(pid)) {
    process.kill(pid, 'SIGKILL');
    console.error(`openclaw-gateway (e2e service): pid ${pid} ignored SIGTERM for 60 s, killed`);
  }
  // Helpers the gateway started that outlived it (9.x's spawn broker, sqlite workers) carry the marker.
  for (const helper of livePids(dir)) {
    try {
      process.kill(helper, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  fs.rmSync(pidFile, { force: true });
  console.log(`Stopped openclaw-gateway (e2e service, pid ${pid}).`);
  return 0;
}

function start() {
  const running = ourPid();
  if (running) {
    console.log(`openclaw-gateway (e2e service) is already active (pid ${running}).`);
    return 0;
  }
  const out = fs.openSync(path.join(dir, 'console.log'), 'a');
  const child = spawn(svc.node, [path.join(svc.pkgDir, 'openclaw.mjs'), 'gateway', 'run'], {
    cwd: svc.env.HOME,
    env: { ...svc.env, CLAWFIX_E2E_SERVICE_DIR: dir },
    detached: true,
    stdio: ['ignore', out, out],
  });
  fs.writeFileSync(pidFile, `${child.pid}\n`);
  fs.appendFileSync(path.join(dir, 'pids.log'), `${child.pid}\n`);
  child.unref();
  console.log(`Started openclaw-gateway (e2e service, pid ${child.pid}).`);
  return 0;
}

async function main() {
  if (positional[0] === 'gateway' && positional[1] === 'stop') return stop();
  if (positional[0] === 'gateway' && positional[1] === 'start') return start();
  if (positional[0] === 'gateway' && positional[1] === 'restart') {
    await stop();
    return start();
  }
  const env = { ...process.env, NODE_OPTIONS: `--require ${JSON.stringify(svc.preload)}`, CLAWFIX_E2E_DNS_LOG: path.join(dir, 'dns-refused.log') };
  const r = spawnSync(svc.node, [path.join(svc.pkgDir, 'openclaw.mjs'), ...args], { env, stdio: 'inherit' });
  if (r.error) {
    console.error(`service.mjs: could not run the real openclaw: ${r.error.message}`);
    return 1;
  }
  return r.status ?? 1;
}

process.exitCode = await main();
