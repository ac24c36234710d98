#!/usr/bin/env bash
# Installs whatever quantlab needs and is missing, skipping what is already there at the
# right version: the wasm32 target, trunk, wasm-bindgen-cli (the exact version pinned in
# Cargo.toml), npm's binaryen 132 and playwright-core (in e2e/), Debian's chromium,
# chromium-driver and Vulkan drivers (lavapipe, for the GPU tests), then fetches every
# crate so builds need no network afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' Cargo.toml)
TRUNK_WB=$(sed -n 's/^wasm_bindgen = "\([0-9.]*\)".*/\1/p' Trunk.toml)
if [ -z "$WASM_BINDGEN_VERSION" ] || [ "$WASM_BINDGEN_VERSION" != "$TRUNK_WB" ]; then
  echo "install: Cargo.toml pins wasm-bindgen '$WASM_BINDGEN_VERSION' but Trunk.toml names '$TRUNK_WB'; make them equal" >&2
  exit 1
fi

say() { printf '\033[1minstall:\033[0m %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

# Rust target (rust-toolchain.toml names it; this makes sure the toolchain is present).
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(trunk --version 2>/dev/null | awk '{print $2}')" != "$TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (about 15 minutes on 2 cores, once)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
else
  say "trunk $TRUNK_VERSION present"
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 6 minutes, once)"
  # Without --locked: its lock file names a webpki-roots release the registry no longer has.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
else
  say "wasm-bindgen $WASM_BINDGEN_VERSION present"
fi

if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  say "installing Debian's chromium and chromium-driver"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver
else
  say "chromium present"
fi

# Mesa's Vulkan drivers (lavapipe, a software Vulkan device) and the Vulkan loader: the
# quantlab-gpu tests run their WGSL kernels on it when the machine has no GPU.
if ! dpkg -s mesa-vulkan-drivers libvulkan1 >/dev/null 2>&1; then
  say "installing Debian's mesa-vulkan-drivers and libvulkan1 (lavapipe)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq mesa-vulkan-drivers libvulkan1
else
  say "mesa-vulkan-drivers and libvulkan1 present"
fi

# binaryen 132 (wasm-opt; Debian's 108 miscompiles wasm-bindgen's externref table) and
# playwright-core (drives the system chromium; downloads no browser).
if ! cmp -s e2e/package-lock.json e2e/node_modules/.package-lock.json 2>/dev/null \
   || [ "$(e2e/node_modules/.bin/wasm-opt --version 2>/dev/null | awk '{print $3}')" != "132" ]; then
  say "installing e2e/ npm packages (binaryen 132, playwright-core)"
  (cd e2e && npm ci --no-audit --no-fund)
else
  say "binaryen 132 and playwright-core present"
fi

say "fetching crates"
cargo fetch --locked >/dev/null
cargo fetch --locked --target wasm32-unknown-unknown >/dev/null
say "done"
