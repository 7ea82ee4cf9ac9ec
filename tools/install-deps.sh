#!/usr/bin/env bash
# Installs the Debian 12 packages extrapolab builds and runs with (skips what is present);
# slurm-wlm and munge serve the test that runs a sharded sweep as a real Slurm job array.
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config git
  glslc libvulkan-dev mesa-vulkan-drivers vulkan-validationlayers vulkan-tools
  libglfw3-dev libimgui-dev libglm-dev doctest-dev nlohmann-json3-dev libcli11-dev libstb-dev
  fonts-dejavu-core xvfb xauth
  slurm-wlm munge
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "installing: ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
