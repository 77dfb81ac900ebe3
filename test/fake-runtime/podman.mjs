/**
 * A stand-in `podman` CLI for process tests (`npm run test:process`): one container, whose main
 * process is the fake `openclaw gateway run` in a PID namespace of its own (`unshare --pid`, what a
 * container's main process is), with the fixture's state dir "bind-mounted". It answers the commands
 * clawfix uses the way podman 4.3 does: `ps -a -q --no-trunc`, `inspect --type container [--format
 * {{.State.Status}}]`, `stop -t N`, `start`, `exec <ctr> openclaw …`. Every call is appended to calls.log.
 *
 * env: FAKE_RUNTIME_DIR (state: container.json, calls.log), plus the fixture's env for the gateway.
 * container.json `failStart: true` makes every `start` fail (a container that cannot come back).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const dir = process.env.FAKE_RUNTIME_DIR;
if (!dir) {
  process.stderr.write('fake podman: FAKE_RUNTIME_DIR is not set\n');
  process.exit(125);
}
const file = path.join(dir, 'container.json');
/** @type {{ id: string, name: string, stateDir: string, openclaw: string, pid: number, running: boolean, env: Record<string,string>, failStart?: boolean }} */
const ctr = JSON.parse(fs.readFileSync(file, 'utf8'));
const args = process.argv.slice(2);
fs.appendFileSync(path.join(dir, 'calls.log'), `${args.join(' ')}\n`);
const save = () => fs.writeFileSync(file, JSON.stringify(ctr));

const alive = (pid) => {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return !/^\S+ \S+ Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/\(.*\)/, 'x'));
  } catch {
    return false;
  }
};
const running = () => ctr.running && alive(ctr.pid);
const isRef = (r) => r === ctr.name || r === ctr.id || ctr.id.startsWith(r);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function inspectJson() {
  return JSON.stringify([
    {
      Id: ctr.id,
      Name: ctr.name,
      State: { Status: running() ? 'running' : 'exited', Running: running(), Pid: running() ? ctr.pid : 0 },
      Mounts: [{ Type: 'bind', Source: ctr.stateDir, Destination: '/home/node/.openclaw', RW: true }],
      Config: { Env: ['HOME=/home/node', 'OPENCLAW_GATEWAY_TOKEN=must-never-be-shown-0123456789'], Labels: {} },
      HostConfig: { Init: true },
    },
  ]);
}

export function startContainer() {
  const child = spawn('unshare', ['--pid', '--fork', '--kill-child', ctr.openclaw, 'gateway', 'run'], { env: ctr.env, detached: true, stdio: 'ignore' });
  child.unref();
  ctr.pid = child.pid;
  ctr.running = true;
  save();
}

async function main() {
  const [cmd, ...rest] = args;
  if (cmd === 'ps') {
    process.stdout.write(`${ctr.id}\n`);
    return 0;
  }
  if (cmd === 'inspect') {
    const fmt = rest.indexOf('--format');
    const refs = rest.filter((a, i) => !a.startsWith('-') && rest[i - 1] !== '--type' && rest[i - 1] !== '--format');
    if (!refs.every(isRef)) {
      process.stdout.write('[]\n');
      process.stderr.write(`Error: no such container ${refs.join(' ')}\n`);
      return 125;
    }
    process.stdout.write(fmt >= 0 ? `${running() ? 'running' : 'exited'}\n` : `${inspectJson()}\n`);
    return 0;
  }
  if (cmd === 'stop') {
    const t = Number(rest[rest.indexOf('-t') + 1] ?? 10);
    if (!isRef(rest[rest.length - 1])) return 125;
    if (running()) {
      process.kill(-ctr.pid, 'SIGTERM');
      const deadline = Date.now() + t * 1000;
      while (alive(ctr.pid) && Date.now() < deadline) await sleep(50);
      if (alive(ctr.pid)) process.kill(-ctr.pid, 'SIGKILL');
    }
    ctr.running = false;
    save();
    process.stdout.write(`${ctr.name}\n`);
    return 0;
  }
  if (cmd === 'start') {
    if (!isRef(rest[rest.length - 1])) return 125;
    if (ctr.failStart) {
      process.stderr.write(`Error: unable to start container "${ctr.name}": crun: cannot start (injected by the test)\n`);
      return 125;
    }
    if (!running()) startContainer();
    process.stdout.write(`${ctr.name}\n`);
    return 0;
  }
  if (cmd === 'exec') {
    if (!running()) {
      process.stderr.write('Error: can only create exec sessions on running containers: container state improper\n');
      return 125;
    }
    const [ref, exe, ...cargs] = rest;
    if (!isRef(ref)) return 125;
    if (exe !== 'openclaw') {
      process.stderr.write(`Error: runc: exec failed: unable to start container process: exec: "${exe}": executable file not found in $PATH: OCI runtime attempted to invoke a command that was not found\n`);
      return 127;
    }
    const r = spawnSync(ctr.openclaw, cargs, { env: ctr.env, stdio: 'inherit' });
    return r.status ?? 1;
  }
  process.stderr.write(`fake podman: unsupported: ${args.join(' ')}\n`);
  return 125;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) process.exitCode = await main();
