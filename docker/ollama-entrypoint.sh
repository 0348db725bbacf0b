#!/bin/bash
# Entrypoint of the ollama service: starts `ollama serve`, pulls CHAT_MODEL and EMBED_MODEL when they are not in
# the model volume yet (progress goes to the container log), then stays up as long as the server does.
# A pull is tried at most MODEL_PULL_ATTEMPTS times (default 3, 30 s apart); a name the library does not have is
# not retried. Either way the log says why, and the service's healthcheck passes once this script is done with
# the pulls (the file /tmp/zhiku-models-settled), so the app starts and reports the missing model itself.
# `docker compose stop` (TERM) ends the script at once, also during a pull.
set -uo pipefail

CHAT_MODEL="${CHAT_MODEL:-qwen2.5:7b}"
EMBED_MODEL="${EMBED_MODEL:-bge-m3}"
MODEL_PULL_ATTEMPTS="${MODEL_PULL_ATTEMPTS:-3}"
RETRY_SECONDS="${MODEL_PULL_RETRY_SECONDS:-30}"
settled="${MODEL_SETTLED_FILE:-/tmp/zhiku-models-settled}"
here="$(dirname "$0")"

log() { echo "[zhiku-ollama] $*"; }

case "$MODEL_PULL_ATTEMPTS" in
  '' | *[!0-9]* | 0)
    log "MODEL_PULL_ATTEMPTS=\"$MODEL_PULL_ATTEMPTS\" is not a whole number of at least 1; using 3"
    MODEL_PULL_ATTEMPTS=3
    ;;
esac

rm -f "$settled"
ollama serve &
server_pid=$!
child_pid=""

# Forward docker stop to the server (and a running pull) and exit with the server. Every long step below runs in
# the background and is waited for, so bash runs this trap at once instead of after the step. What is left of a
# pull ends with the container (this script is its PID 1).
stop() {
  [ -n "$child_pid" ] && kill -TERM "$child_pid" 2>/dev/null
  kill -TERM "$server_pid" 2>/dev/null
  wait "$server_pid"
  exit $?
}
trap stop TERM INT

# Runs "$@" in the background and waits for it, so that TERM is handled during it; returns its status.
run() {
  "$@" &
  child_pid=$!
  wait "$child_pid"
  local status=$?
  child_pid=""
  return "$status"
}

until ollama list >/dev/null 2>&1; do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    log "ollama serve exited before it was ready"
    wait "$server_pid"
    exit 1
  fi
  run sleep 1
done
log "ollama is up"

# `ollama pull` redraws a progress bar per layer every 100 ms with terminal escapes; the filter turns that into
# at most one log line every few seconds, and keeps the last lines for the error message.
pull_output="$(mktemp)"
pull_with_progress() {
  ollama pull "$1" 2>&1 | tee "$pull_output" | bash "$here/pull-progress.sh" "$1"
}

# The reason of a failed pull: Ollama's last "Error: ..." line, else the last line it printed.
failure_reason() {
  local reason
  reason="$(tr '\r' '\n' <"$pull_output" | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g' | grep -i 'error' | tail -n 1)"
  [ -n "$reason" ] || reason="$(tr '\r' '\n' <"$pull_output" | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g' | grep -v '^[[:space:]]*$' | tail -n 1)"
  echo "${reason:-no output}"
}

missing=()
for model in "$EMBED_MODEL" "$CHAT_MODEL"; do
  if ollama show "$model" >/dev/null 2>&1; then
    log "$model is already in the model volume"
    continue
  fi
  log "pulling $model (first start only; this can take a while)"
  attempt=1
  until run pull_with_progress "$model" && ollama show "$model" >/dev/null 2>&1; do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      log "ollama serve exited while pulling $model"
      wait "$server_pid"
      exit 1
    fi
    reason="$(failure_reason)"
    case "$reason" in
      *"file does not exist"* | *"not found"* | *"invalid model name"*)
        log "cannot pull $model: $reason. The model library has no such name: check CHAT_MODEL / EMBED_MODEL" \
          "(names as on the Ollama library, e.g. qwen2.5:7b, bge-m3)."
        missing+=("$model")
        break
        ;;
    esac
    if [ "$attempt" -ge "$MODEL_PULL_ATTEMPTS" ]; then
      log "giving up on $model after $attempt attempts: $reason. Check the network, the disk space" \
        "and the model name; pull it later with: docker compose exec ollama ollama pull $model"
      missing+=("$model")
      break
    fi
    log "pulling $model failed (attempt $attempt of $MODEL_PULL_ATTEMPTS): $reason; retrying in $RETRY_SECONDS s"
    attempt=$((attempt + 1))
    run sleep "$RETRY_SECONDS"
  done
  case " ${missing[*]-} " in
    *" $model "*) ;;
    *) log "$model is ready" ;;
  esac
done
rm -f "$pull_output"

touch "$settled"
if [ "${#missing[@]}" -eq 0 ]; then
  log "models ready: chat $CHAT_MODEL, embeddings $EMBED_MODEL"
else
  log "starting without ${missing[*]}: the app shows the missing model in /api/health and in its interface"
fi

wait "$server_pid"
