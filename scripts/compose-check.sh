#!/usr/bin/env bash
# The Docker path, for real: builds the image and brings up the stack of docker-compose.yml with the CPU variant on
# a real Docker engine, then drives it as a user would, and tears it down.
#
#   1. Docker engine: uses a running one; else, as root, installs Debian's `docker.io` when missing and starts
#      `dockerd` for the run (stopped again at the end).
#   2. Docker Compose v2 (>= 2.24, for `!reset`): uses `docker compose` when it is new enough; else takes the
#      `docker-compose` 2.x package of the next Debian release into a cache folder (nothing is installed
#      system-wide; DOCKER_CONFIG points the docker command at it).
#   3. Base images. STAND-INS where Docker Hub cannot be reached: `node:20-bookworm-slim` is made locally with
#      debootstrap and this machine's Node.js (docker/stand-ins/build-node-base.sh, skipped when the image exists),
#      and the ollama service runs `ollama/ollama:zhiku-stand-in`, the repository's stand-in Ollama server behind a
#      stand-in `ollama` command (docker/stand-ins/ollama.Dockerfile): no model weights, lexical embeddings.
#   4. `docker compose config` of both variants (the real merge: `!reset` drops the GPU reservation; the settings
#      reach the app), `docker compose build`, `docker compose pull app` (skipped: pull_policy build).
#   5. `up -d` with ADMIN_EMAIL/ADMIN_PASSWORD, wait for both services to be healthy and /api/health to say ok;
#      the /api/docs page and its script come from the image; sign in as the pre-created admin, upload a
#      document and a screenshot, wait for them to be ingested (OCR in the image), search them (scripts/compose-smoke.mjs).
#   6. A bad model name (CHAT_MODEL=qwen25:7b): the ollama log says why the pull failed, the app starts anyway and
#      /api/health names the missing model.
#   7. `docker compose stop app` ends the server by its signal handler (not SIGKILL), then `down -v`.
# Prints the time of each step. Without a Docker engine and without root it says so and exits 0, unless CI=true.
#
# Usage: bash scripts/compose-check.sh      (or: npm run check:compose)
set -euo pipefail

repository="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repository"
cache="${ZHIKU_CHECK_CACHE:-/var/cache/zhiku-compose-check}"
work="$(mktemp -d "${TMPDIR:-/tmp}/zhiku-compose-check.XXXXXX")"
project="zhiku-check-$$"
started=$SECONDS
step_started=$SECONDS
dockerd_pid=""
stack_up=false

log() { echo "[compose-check] $*"; }
step() {
  log "($((SECONDS - step_started)) s) done; now: $*"
  step_started=$SECONDS
}

compose() {
  docker compose -p "$project" -f docker-compose.yml -f docker-compose.cpu.yml "$@"
}

cleanup() {
  local status=$?
  if [ "$stack_up" = true ]; then
    if [ "$status" -ne 0 ]; then
      log "logs of the failed run:"
      compose logs --no-color --tail 60 2>&1 || true
    fi
    compose down -v --remove-orphans >/dev/null 2>&1 || true
  fi
  if [ -n "$dockerd_pid" ]; then
    kill "$dockerd_pid" 2>/dev/null || true
    wait "$dockerd_pid" 2>/dev/null || true
  fi
  [ "$status" -eq 0 ] || { [ -f "$work/dockerd.log" ] && tail -n 20 "$work/dockerd.log"; }
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

unavailable() {
  if [ "${CI:-}" = true ]; then
    log "FAILED: $*"
    exit 1
  fi
  log "skipped: $*"
  exit 0
}

# ---- 1. a Docker engine ----
if ! docker info >/dev/null 2>&1; then
  [ "$(id -u)" -eq 0 ] || unavailable "no running Docker engine, and starting one needs root"
  if ! command -v dockerd >/dev/null; then
    command -v apt-get >/dev/null || unavailable "no Docker engine and no apt-get to install Debian's docker.io"
    log "installing Debian's docker.io"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
  fi
  log "starting dockerd for this run"
  dockerd >"$work/dockerd.log" 2>&1 &
  dockerd_pid=$!
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    kill -0 "$dockerd_pid" 2>/dev/null || unavailable "dockerd did not start: $(tail -n 5 "$work/dockerd.log")"
    sleep 1
  done
  docker info >/dev/null 2>&1 || unavailable "dockerd did not answer within 60 s"
fi
engine="$(docker version --format '{{ .Server.Version }}')"

# ---- 2. Docker Compose v2.24 or newer ----
compose_new_enough() {
  local version
  version="$(docker compose version --short 2>/dev/null)" || return 1
  version="${version#v}"
  node -e 'const [a, b] = process.argv[1].split(".").map(Number); process.exit(a > 2 || (a === 2 && b >= 24) ? 0 : 1)' \
    "$version"
}
if ! compose_new_enough; then
  plugins="$cache/docker-config/cli-plugins"
  if [ ! -x "$plugins/docker-compose" ]; then
    [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null \
      || unavailable "Docker Compose v2.24 or newer is missing and cannot be fetched without root and apt"
    log "Docker Compose v2.24+ missing: taking the docker-compose 2.x package of the next Debian release into $cache"
    apt_dir="$work/apt"
    mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$plugins"
    # The Debian mirror this machine already uses, with the next release's suite.
    mirror="$(grep -rhoE '^(URIs:|deb) +[^ ]+' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null \
      | grep -v security | awk '{ print ($1 == "deb" ? $2 : $2) }' | grep -m 1 '/debian/\?$' || true)"
    [ -n "$mirror" ] || unavailable "no Debian mirror found in /etc/apt/sources.list*"
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" >"$apt_dir/sources.list"
    apt_options=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
      -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache::Archives=$apt_dir/archives")
    apt-get "${apt_options[@]}" update -qq
    (cd "$apt_dir" && apt-get "${apt_options[@]}" download -qq docker-compose 2>/dev/null)
    dpkg-deb -x "$apt_dir"/docker-compose_*.deb "$apt_dir/extracted"
    install -m 755 "$apt_dir/extracted/usr/libexec/docker/cli-plugins/docker-compose" "$plugins/docker-compose"
  fi
  export DOCKER_CONFIG="$cache/docker-config"
  compose_new_enough || unavailable "Docker Compose $(docker compose version --short 2>&1) is older than 2.24"
fi
log "Docker Engine $engine, Docker Compose $(docker compose version --short)"

# ---- 3. stand-in base images ----
step "stand-in base image node:20-bookworm-slim"
bash docker/stand-ins/build-node-base.sh

step "stand-in Ollama image ollama/ollama:zhiku-stand-in"
stand_in_dist="packages/stand-in-ollama/dist"
if [ ! -f "$stand_in_dist/main.js" ]; then
  log "compiling the stand-in Ollama (npx tsc -b)"
  npx tsc -b
fi
mkdir -p "$work/ollama"
cp -r "$stand_in_dist" "$work/ollama/stand-in"
cp docker/stand-ins/ollama-cli.mjs "$work/ollama/"
docker build -q -t ollama/ollama:zhiku-stand-in -f docker/stand-ins/ollama.Dockerfile "$work/ollama" >/dev/null

# ---- 4. the real merge, the build, the upgrade path ----
step "docker compose config"
export OLLAMA_VERSION=zhiku-stand-in ZHIKU_VERSION=compose-check
export ADMIN_EMAIL=admin@example.com ADMIN_PASSWORD=compose-check-password
export URL_ALLOWLIST=intranet.example.com TRUST_PROXY=1 RERANK_URL=http://reranker:8080 RERANK_MODEL=bge-reranker
export ZHIKU_PORT
ZHIKU_PORT="$(node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')"
docker compose -p "$project" -f docker-compose.yml config -q
compose config --format json >"$work/config.json"
node - "$work/config.json" <<'EOF'
const config = JSON.parse(require("node:fs").readFileSync(process.argv[2], "utf8"));
const { app, ollama } = config.services;
const problems = [];
if (ollama.deploy !== undefined) problems.push("the CPU variant keeps the ollama GPU reservation (deploy)");
for (const name of ["ADMIN_EMAIL", "ADMIN_PASSWORD", "URL_ALLOWLIST", "TRUST_PROXY", "RERANK_URL", "RERANK_MODEL"]) {
  if (app.environment?.[name] !== process.env[name]) problems.push(`${name} does not reach the app container`);
}
if (app.pull_policy !== "build") problems.push("the app has no pull_policy: build");
if (app.init !== true) problems.push("the app has no init: true");
if (ollama.healthcheck?.start_interval !== undefined) problems.push("healthcheck.start_interval needs Engine 25+");
if (problems.length) {
  console.error(problems.map((problem) => `[compose-check] ${problem}`).join("\n"));
  process.exit(1);
}
console.log("[compose-check] merged config: CPU variant without GPU reservation, settings passed to the app");
EOF
if grep -q '^# syntax=' Dockerfile; then
  log "the Dockerfile has a '# syntax=' line: BuildKit would fetch its frontend from Docker Hub"
  exit 1
fi

step "docker compose build app"
compose build app
step "docker compose pull app (the documented upgrade's pull must skip the buildable app)"
compose pull app

# ---- 5. up, health, docs, admin, upload, search ----
step "docker compose up -d"
stack_up=true
compose up -d
base="http://127.0.0.1:$ZHIKU_PORT"

wait_healthy() {
  local service="$1" seconds="$2" id state
  id="$(compose ps -q "$service")"
  for _ in $(seq 1 "$seconds"); do
    state="$(docker inspect -f '{{ .State.Health.Status }}' "$id" 2>/dev/null || echo missing)"
    [ "$state" = healthy ] && return 0
    sleep 1
  done
  log "$service is $state after $seconds s"
  return 1
}
health() { node docker/healthcheck.mjs "$base/api/health" || true; }
# The ollama service's log without Compose's prefix and line-clearing escapes.
read_ollama_log() { compose logs --no-color --no-log-prefix ollama | sed 's/\x1b\[[0-9;]*[A-Za-z]//g'; }

wait_healthy ollama 180
wait_healthy app 180
health="$(health)"
log "GET /api/health -> $health"
case "$health" in *'"status":"ok"'*) ;; *) log "the stack is up but not ok"; exit 1 ;; esac
# Logs go into a variable first: `grep -q` closing the pipe early would fail the pipeline under pipefail.
ollama_log="$(read_ollama_log)"
grep -q 'pulling bge-m3' <<<"$ollama_log" || { log "the entrypoint did not pull the models"; exit 1; }

step "/api/docs from the image"
node - "$base" <<'EOF'
const base = process.argv[2];
const page = await fetch(`${base}/api/docs`);
const html = await page.text();
const policy = page.headers.get("content-security-policy") ?? "";
const scripts = [...html.matchAll(/<script[^>]*\bsrc="([^"]+)"/g)].map((match) => match[1]);
const problems = [];
if (page.status !== 200) problems.push(`/api/docs answered ${page.status}`);
if (/https?:\/\//.test(policy)) problems.push(`the docs policy allows another origin: ${policy}`);
if (!scripts.length || scripts.some((src) => /^(https?:)?\/\//.test(src))) problems.push(`scripts: ${scripts.join(", ")}`);
for (const src of scripts) {
  const script = await fetch(new URL(src, base));
  if (script.status !== 200 || (await script.text()).length < 10_000) problems.push(`${src} answered ${script.status}`);
}
if (problems.length) {
  console.error(`[compose-check] ${problems.join("; ")}`);
  process.exit(1);
}
console.log(`[compose-check] /api/docs loads ${scripts.join(", ")} from the image`);
EOF

step "pre-created admin, upload, search"
node scripts/compose-smoke.mjs "$base" "$ADMIN_EMAIL" "$ADMIN_PASSWORD"

# ---- 6. a bad model name ----
step "CHAT_MODEL=qwen25:7b (a mistyped model)"
bad_started=$SECONDS
CHAT_MODEL=qwen25:7b compose up -d
wait_healthy ollama 300
wait_healthy app 300
health="$(health)"
log "GET /api/health -> $health"
case "$health" in
  *'"missingModels":["qwen25:7b"]'*) ;;
  *) log "/api/health does not name the missing model qwen25:7b"; exit 1 ;;
esac
ollama_log="$(read_ollama_log)"
reason="$(grep 'cannot pull qwen25:7b' <<<"$ollama_log" | tail -n 1 || true)"
[ -n "$reason" ] || { log "the ollama log does not say why qwen25:7b is missing"; exit 1; }
log "reported after $((SECONDS - bad_started)) s; the ollama log says: $reason"

# ---- 7. stop ----
step "docker compose stop app"
app_id="$(compose ps -q app)"
compose stop app
exit_code="$(docker inspect -f '{{ .State.ExitCode }}' "$app_id")"
if [ "$exit_code" = 137 ]; then
  log "the app was killed (exit 137) instead of stopping on SIGTERM"
  exit 1
fi
log "the app stopped by itself on SIGTERM (exit $exit_code)"
compose down -v --remove-orphans >/dev/null
stack_up=false
step "finished"
log "ok: built, started and used the stack on Docker Engine $engine in $((SECONDS - started)) s"
