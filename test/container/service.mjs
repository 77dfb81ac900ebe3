/**
 * The Docker-compatible API of podman (`podman system service`) on a socket of this run, so the docker
 * CLI and docker-compose (Debian's, v1) drive the same podman store the tests use. Started and stopped
 * by the test that needs it; the pid is recorded so the teardown can stop exactly that process.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { runtimeEnv } from './runtime.mjs';

const pidFile = (root) => path.join(root, 'podman-service.pid');
export const socketPath = (root) => path.join(root, 'podman.sock');

function ping(sock) {
  return new Promise((resolve) => {
    const req = http.get({ socketPath: sock, path: '/_ping', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** Starts the API service; resolves with DOCKER_HOST once /_ping answers. */
export async function startService(root) {
  const sock = socketPath(root);
  fs.rmSync(sock, { force: true });
  const log = fs.openSync(path.join(root, 'podman-service.log'), 'a');
  const child = spawn('podman', ['system', 'service', '--time=0', `unix://${sock}`], {
    env: { ...process.env, ...runtimeEnv() },
    detached: true,
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  fs.writeFileSync(pidFile(root), `${child.pid}\n`);
  child.unref();
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (await ping(sock)) return { DOCKER_HOST: `unix://${sock}`, pid: child.pid };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stopService(root);
  throw new Error(`podman system service did not answer on ${sock} within 30 s (see ${path.join(root, 'podman-service.log')})`);
}

/** Stops the recorded service process (only if /proc still shows it serving this run's socket). */
export async function stopService(root) {
  let pid;
  try {
    pid = Number(fs.readFileSync(pidFile(root), 'utf8').trim());
  } catch {
    return;
  }
  const ours = () => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(socketPath(root));
    } catch {
      return false;
    }
  };
  if (pid > 0 && ours()) {
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 10_000;
    while (ours() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (ours()) process.kill(pid, 'SIGKILL');
  }
  fs.rmSync(pidFile(root), { force: true });
}
