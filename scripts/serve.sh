#!/usr/bin/env bash
# Installs what is missing, builds the app and serves it at http://127.0.0.1:8080.
# After the first run nothing here needs the network (Trunk.toml sets offline = true).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
scripts/install.sh
exec trunk serve --release "$@"
