#!/usr/bin/env bash
# The README's test command: install what is missing, build, and run the whole test suite
# (CPU reference, GPU ops on lavapipe or any Vulkan device, CLI, and the GUI under Xvfb).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
tools/fetch-models.sh
tools/build.sh
# GUI tests need a display: run the suite under a virtual X server when none is present.
if [ -z "${DISPLAY:-}" ]; then
  exec xvfb-run -a -s "-screen 0 1600x1000x24" ctest --test-dir build --output-on-failure -j2
fi
exec ctest --test-dir build --output-on-failure -j2
