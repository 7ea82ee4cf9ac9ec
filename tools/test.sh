#!/usr/bin/env bash
# The README's test command: install what is missing, build, and run the whole test suite
# (CPU reference, GPU ops on lavapipe or any Vulkan device, CLI, and the GUI under Xvfb).
set -euo pipefail
cd "$(dirname "$0")/.."
# The tests also read the read-only shared folder beside the checkout (toy models babyllama and
# alilama, the TinyStories text): say so before anything is built, not in 70 failing tests.
shared="${XL_SHARED_DIR:-$PWD/../shared}"
for need in models/stories260K models/babyllama models/alilama data/tinystories; do
  if [ ! -e "$shared/$need" ]; then
    echo "tools/test.sh: $shared/$need is missing: the tests need the shared folder (models/, data/) beside" \
         "the checkout, or XL_SHARED_DIR=<that folder>" >&2
    exit 2
  fi
done
tools/install-deps.sh
tools/fetch-models.sh
tools/build.sh -DXL_SHARED_DIR="$shared"
# GUI tests need a display: run the suite under a virtual X server when none is present.
if [ -z "${DISPLAY:-}" ]; then
  exec xvfb-run -a -s "-screen 0 1600x1000x24" ctest --test-dir build --output-on-failure -j2
fi
exec ctest --test-dir build --output-on-failure -j2
