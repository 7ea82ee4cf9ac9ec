#!/usr/bin/env bash
# Stages what tools/gpu/device-run.sh needs into DEST (default: the lead checkout's .gpurun/,
# ignored by git): the built extrapolab and xltests, the shared tiny models, and the source path
# the test binary was built with. Usage: tools/gpu/stage.sh [DEST]
set -euo pipefail
cd "$(dirname "$0")/../.."
dest=${1:-.gpurun}
rm -rf "$dest"; mkdir -p "$dest/shared/models"
cp build/extrapolab build/tests/xltests "$dest/"
strip "$dest/extrapolab" "$dest/xltests"
cp -r ../shared/models/stories260K ../shared/models/babyllama ../shared/models/alilama "$dest/shared/models/"
cp -r ../shared/data "$dest/shared/" 2>/dev/null || true
# Libraries the GPU machine's image lacks (its own glibc and libstdc++ serve).
mkdir -p "$dest/lib"
ldd "$dest/extrapolab" "$dest/xltests" | awk '/=>/{print $3}' | sort -u |
  grep -v -E 'libc\.so|libm\.so|libstdc\+\+|libgcc_s|ld-linux|libvulkan|libdl\.so|libpthread' |
  while read -r lib; do cp -L "$lib" "$dest/lib/"; done
echo "$PWD" > "$dest/SRC"
du -sh "$dest"
