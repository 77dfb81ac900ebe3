#!/usr/bin/env bash
# Records the README's "Docker / Podman" transcript: a real OpenClaw 2026.7.35 gateway as the main process
# of a podman container named openclaw-gateway (host network, --init, a uid-1000 state dir bind-mounted
# from $DEMO/.openclaw), a client refused operator.write, then `clawfix diagnose` and `clawfix fix --yes`
# on the host with no openclaw on PATH. Needs the images of `npm run test:container` (run it first).
# usage: bash test/container/record-transcript.sh [DEMO_DIR]   (default /tmp/openclaw-demo; removed first)
set -euo pipefail
cd "$(dirname "$0")/../.."
DEMO="${1:-/tmp/openclaw-demo}"
NODE="$PWD/node_modules/.bin/node"
eval "$("$NODE" -e 'import("./test/container/runtime.mjs").then(m=>{for(const [k,v] of Object.entries(m.runtimeEnv()))console.log(`export ${k}=${v}`)})')"
IMG="$(podman images --format '{{.Repository}}:{{.Tag}}' | grep '^localhost/clawfix-e2e-openclaw:2026.7.35-' | head -1)"
[ -n "$IMG" ] || { echo "no 2026.7.35 image: run npm run test:container first" >&2; exit 2; }
podman rm -f -t 10 openclaw-gateway >/dev/null 2>&1 || true
rm -rf "$DEMO"; mkdir -p "$DEMO/.openclaw"
PORT="$("$NODE" -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
TOKEN="$(openssl rand -hex 24)"
printf '{\n  "gateway": { "mode": "local", "bind": "loopback", "port": %s, "auth": { "mode": "token", "token": "%s" } },\n  "update": { "checkOnStart": false }\n}\n' "$PORT" "$TOKEN" > "$DEMO/.openclaw/openclaw.json"
chmod 700 "$DEMO/.openclaw"; chmod 600 "$DEMO/.openclaw/openclaw.json"; chown -R 1000:1000 "$DEMO"
ENVS=(-e OPENCLAW_SKIP_CHANNELS=1 -e "NODE_OPTIONS=--require /opt/clawfix-e2e/offline.cjs")
podman run -d --name openclaw-gateway --network host --init -v "$DEMO/.openclaw:/home/node/.openclaw" "${ENVS[@]}" "$IMG" openclaw gateway run >/dev/null
until curl -sf "127.0.0.1:$PORT/healthz" >/dev/null; do sleep 0.5; done
client() { podman run --rm --network host -v "$DEMO/.openclaw:/home/node/.openclaw" -v "$PWD/test/real:/opt/c:ro" "${ENVS[@]}" \
  -e OPENCLAW_STATE_DIR=/home/node/.openclaw -e "E2E_TOKEN=$TOKEN" -e "E2E_CLIENT=$1" -e "E2E_MODE=$2" "$IMG" \
  node /opt/c/client.mjs /app/node_modules/openclaw "$PORT" json "$3" 2>/dev/null; }
client cli cli operator.read >/dev/null
echo '$ # a sub-agent of the containerized gateway asks for operator.write:'
client gateway-client backend operator.read,operator.write | "$NODE" -e 'const r=JSON.parse(require("fs").readFileSync(0,"utf8"));console.log(r.ok?"ok":`refused: ${r.error}`)'
cf() { echo "\$ clawfix $*"; env -i PATH="$(dirname "$(readlink -f "$NODE")"):/usr/local/bin:/usr/bin:/bin" HOME="$DEMO" NO_COLOR=1 \
  CONTAINERS_CONF="$CONTAINERS_CONF" CONTAINERS_STORAGE_CONF="$CONTAINERS_STORAGE_CONF" "$NODE" bin/clawfix.js --state-dir "$DEMO/.openclaw" "$@" 2>&1 || echo "(exit $?)"; }
cf diagnose
cf fix --yes
echo '$ # the same call again:'
client gateway-client backend operator.read,operator.write | "$NODE" -e 'const r=JSON.parse(require("fs").readFileSync(0,"utf8"));console.log(r.ok?`ok: ${r.auth.scopes.join(", ")}`:`refused: ${r.error}`)'
echo "\$ podman ps --format '{{.Names}} {{.Status}}'"; podman ps --filter name=openclaw-gateway --format '{{.Names}} {{.Status}}'
podman rm -f -t 10 openclaw-gateway >/dev/null
