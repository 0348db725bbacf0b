#!/bin/bash
# Entrypoint of the ollama service: starts `ollama serve`, pulls CHAT_MODEL and EMBED_MODEL when they are not in
# the model volume yet (progress goes to the container log), then stays up as long as the server does.
# The service's healthcheck passes once both models are present, so the app starts only when it can work.
set -uo pipefail

CHAT_MODEL="${CHAT_MODEL:-qwen2.5:7b}"
EMBED_MODEL="${EMBED_MODEL:-bge-m3}"

log() { echo "[zhiku-ollama] $*"; }

ollama serve &
server_pid=$!

# Forward docker stop to the server and exit with it.
trap 'kill -TERM "$server_pid" 2>/dev/null; wait "$server_pid"; exit $?' TERM INT

until ollama list >/dev/null 2>&1; do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    log "ollama serve exited before it was ready"
    wait "$server_pid"
    exit 1
  fi
  sleep 1
done
log "ollama is up"

# `ollama pull` draws a progress bar with terminal escapes; turn it into one log line per status change or
# every 5 percent, so `docker compose logs -f ollama` shows readable progress.
pull_with_progress() {
  ollama pull "$1" 2>&1 \
    | tr '\r' '\n' \
    | sed -u 's/\x1b\[[0-9;?]*[A-Za-z]/\n/g' \
    | awk -v model="$1" '
        /[^[:space:]]/ {
          line = $0
          gsub(/^[[:space:]]+|[[:space:]]+$/, "", line)
          status = line
          sub(/[[:space:]].*$/, "", status)
          percent = -1
          if (match(line, /[0-9]+%/)) percent = substr(line, RSTART, RLENGTH - 1) + 0
          bucket = percent < 0 ? -1 : int(percent / 5)
          key = line
          if (percent >= 0) { key = status " " bucket }
          if (key != last) { printf "[zhiku-ollama] %s: %s\n", model, line; fflush(); last = key }
        }'
}

for model in "$EMBED_MODEL" "$CHAT_MODEL"; do
  if ollama show "$model" >/dev/null 2>&1; then
    log "$model is already in the model volume"
    continue
  fi
  attempt=1
  log "pulling $model (first start only; this can take a while)"
  until pull_with_progress "$model" && ollama show "$model" >/dev/null 2>&1; do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      log "ollama serve exited while pulling $model"
      wait "$server_pid"
      exit 1
    fi
    log "pulling $model failed (attempt $attempt); retrying in 30 s. Check the network or the model name."
    attempt=$((attempt + 1))
    sleep 30 &
    wait $!
  done
  log "$model is ready"
done
log "models ready: chat $CHAT_MODEL, embeddings $EMBED_MODEL"

wait "$server_pid"
