#!/usr/bin/env bash
# The Dockerfile's build and start, without Docker. From a clean clone of this checkout's HEAD (so the checkout
# keeps its dev dependencies), it runs the same npm steps as the image build with NODE_ENV=production, prunes to
# production dependencies only, starts the stand-in Ollama and the server on free ports with a temporary
# DATA_DIR, waits for GET /api/health to answer 200 with status ok and prints it, checks that the web client is
# served and that `zhiku backup` / `zhiku restore` work on production dependencies, then stops everything.
#
# Usage: bash scripts/production-check.sh      (or: npm run check:production)
set -euo pipefail

repository="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/zhiku-production-check.XXXXXX")"
pids=()

log() { echo "[production-check] $*"; }

cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$status" -ne 0 ]; then
    for file in "$work"/*.log; do
      [ -f "$file" ] && { echo "---- $(basename "$file") ----"; tail -n 40 "$file"; }
    done
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

free_port() {
  node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

log "cloning $(git -C "$repository" rev-parse --short HEAD) into a clean folder"
# safe.directory: CI may check the repository out as another user than the one running this script.
git -c safe.directory="$repository" -c safe.directory="$repository/.git" clone --quiet "$repository" "$work/zhiku"
cd "$work/zhiku"

# ---- the Dockerfile's build stage ----
export NODE_ENV=production
log "npm ci --include=dev"
npm ci --include=dev --no-audit --no-fund
log "npm run build:production"
npm run build:production
log "npm run prune:production"
npm run prune:production

# ---- what the runtime stage copies: production dependencies only ----
for dev_only in typescript vitest vite @biomejs/biome; do
  if [ -e "node_modules/$dev_only" ]; then
    log "dev dependency $dev_only is still installed after prune:production"
    exit 1
  fi
done
for required in apps/server/dist/main.js apps/server/dist/cli.js apps/web/dist/index.html; do
  [ -f "$required" ] || { log "missing build output $required"; exit 1; }
done

ollama_port="$(free_port)"
app_port="$(free_port)"
data_dir="$work/data"

log "starting the stand-in Ollama on port $ollama_port"
node packages/stand-in-ollama/dist/main.js --port "$ollama_port" >"$work/stand-in-ollama.log" 2>&1 &
pids+=($!)

log "starting the server on port $app_port (NODE_ENV=$NODE_ENV, DATA_DIR=$data_dir)"
PORT="$app_port" HOST=127.0.0.1 DATA_DIR="$data_dir" OLLAMA_HOST="http://127.0.0.1:$ollama_port" \
  node apps/server/dist/main.js >"$work/server.log" 2>&1 &
server_pid=$!
pids+=("$server_pid")

health_url="http://127.0.0.1:$app_port/api/health"
for attempt in $(seq 1 60); do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    log "the server exited before answering"
    exit 1
  fi
  if health="$(node docker/healthcheck.mjs "$health_url")"; then
    log "GET /api/health -> $health"
    case "$health" in
      *'"status":"ok"'*) break ;;
      *) log "the server answers but reports it cannot use Ollama"; exit 1 ;;
    esac
  fi
  if [ "$attempt" -eq 60 ]; then
    log "no answer from $health_url after 60 s: $health"
    exit 1
  fi
  sleep 1
done

page="$(node -e 'fetch(process.argv[1]).then(async (r) => { const t = await r.text(); console.log(r.status, t.includes("<div id=\"root\"") || t.includes("<html") ? "html" : "other"); })' "http://127.0.0.1:$app_port/")"
log "GET / -> $page"
[ "$page" = "200 html" ] || { log "the web client is not served"; exit 1; }

log "zhiku ingest, zhiku backup while the server runs, then zhiku restore into an empty folder"
printf '# 备份\n\nZhiku 的备份包含元数据、向量和原始文件。\n' >"$work/note.md"
DATA_DIR="$data_dir" OLLAMA_HOST="http://127.0.0.1:$ollama_port" \
  node apps/server/dist/cli.js ingest --workspace smoke "$work/note.md"
DATA_DIR="$data_dir" node apps/server/dist/cli.js backup "$work/backup.tar.gz"
DATA_DIR="$work/restored" node apps/server/dist/cli.js restore "$work/backup.tar.gz" | tee "$work/restore.out"
grep -q "^Restored 1 workspaces, 1 documents" "$work/restore.out" || { log "the restore did not bring back the document"; exit 1; }

log "ok: the production build starts and answers /api/health"
