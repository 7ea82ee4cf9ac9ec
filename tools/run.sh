#!/usr/bin/env bash
# The README's run command: install what is missing, build, and run the main job on the bundled
# default model (stories260K) and text: the desktop app when a display is present, otherwise the
# perplexity table of the default methods.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
tools/fetch-models.sh
tools/build.sh
if [ -n "${DISPLAY:-}" ]; then
  exec ./build/extrapolab "$@"
else
  echo "no DISPLAY: printing the default perplexity table instead of opening the app" >&2
  exec ./build/extrapolab eval --method "none;linear:s=4;ntk:a=4;dynntk:s=4;yarn:s=4,orig=512" "$@"
fi
