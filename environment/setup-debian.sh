#!/usr/bin/env bash
# Debian/Ubuntu packages the notebooks need: Jupyter's headless executor (nbconvert + nbclient),
# the classic Notebook UI for `make lab`, and Chromium for PNG/SVG figure export and browser tests.
# Installs only what is missing; needs root (or sudo) the first time.
set -euo pipefail
need=()
command -v jupyter-nbconvert >/dev/null 2>&1 || need+=(jupyter-nbconvert)
/usr/bin/python3 -c 'import nbclient' >/dev/null 2>&1 || need+=(python3-nbclient)
/usr/bin/python3 -c 'import notebook' >/dev/null 2>&1 || need+=(jupyter-notebook)
/usr/bin/python3 -c 'import ipykernel' >/dev/null 2>&1 || need+=(python3-ipykernel)
if [ "${CMRP_NEED_CHROMIUM:-0}" = 1 ] && ! command -v chromium >/dev/null 2>&1; then need+=(chromium); fi
[ ${#need[@]} -eq 0 ] && exit 0
echo "environment: installing Debian packages: ${need[*]}"
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
