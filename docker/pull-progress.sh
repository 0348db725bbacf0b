#!/bin/bash
# Log filter for `ollama pull MODEL` (used by ollama-entrypoint.sh): Ollama redraws a progress bar per layer every
# 100 ms with carriage returns and terminal escapes. This prints at most one plain line every
# PULL_PROGRESS_SECONDS (default 5) seconds, the latest state, as "[zhiku-ollama] MODEL: pulling 1a2b3c  35% ...",
# plus every error line and "success" at once, and the last state when the pull ends.
# Usage: ollama pull MODEL 2>&1 | bash pull-progress.sh MODEL
set -uo pipefail

model="${1:?usage: pull-progress.sh MODEL}"
interval="${PULL_PROGRESS_SECONDS:-5}"
last_print=-1
pending=""

unbuffered() { if command -v stdbuf >/dev/null 2>&1; then stdbuf -o0 "$@"; else "$@"; fi; }
emit() { printf '[zhiku-ollama] %s: %s\n' "$model" "$1"; }

while IFS= read -r line; do
  line="${line#"${line%%[![:space:]]*}"}"
  line="${line%"${line##*[![:space:]]}"}"
  [ -n "$line" ] || continue
  printf -v now '%(%s)T' -1
  case "$line" in
    *[Ee]rror* | success)
      emit "$line"
      pending=""
      last_print=$now
      continue
      ;;
  esac
  if [ "$last_print" -lt 0 ] || [ $((now - last_print)) -ge "$interval" ]; then
    emit "$line"
    pending=""
    last_print=$now
  else
    pending="$line"
  fi
done < <(unbuffered tr '\r' '\n' | sed -u 's/\x1b\[[0-9;?]*[A-Za-z]/\n/g')

[ -z "$pending" ] || emit "$pending"
