#!/usr/bin/env bash
# Debian/Ubuntu packages the notebooks need: Jupyter's headless executor (nbconvert + nbclient),
# the classic Notebook UI for `make lab`, and Chromium for PNG/SVG figure export and the browser test.
# Installs only what is missing; needs root (or sudo) the first time.
#
# Chromium (any of chromium, chromium-browser, google-chrome(-stable), or $CMRP_CHROMIUM counts):
#   CMRP_NEED_CHROMIUM unset  installed when missing; if that cannot be done (no root and no
#                             password-less sudo, no `chromium` package, no network) this is only a
#                             warning: PNG/SVG export then says how to install it, the browser test skips
#   CMRP_NEED_CHROMIUM=1      required: a failed install fails the set-up
#   CMRP_NEED_CHROMIUM=0      not installed
set -euo pipefail
need=()
command -v jupyter-nbconvert >/dev/null 2>&1 || need+=(jupyter-nbconvert)
/usr/bin/python3 -c 'import nbclient' >/dev/null 2>&1 || need+=(python3-nbclient)
/usr/bin/python3 -c 'import notebook' >/dev/null 2>&1 || need+=(jupyter-notebook)
/usr/bin/python3 -c 'import ipykernel' >/dev/null 2>&1 || need+=(python3-ipykernel)

have_chromium() {
  if [ -n "${CMRP_CHROMIUM:-}" ]; then command -v "$CMRP_CHROMIUM" >/dev/null 2>&1; return; fi
  local b
  for b in chromium chromium-browser google-chrome google-chrome-stable; do
    command -v "$b" >/dev/null 2>&1 && return 0
  done
  return 1
}
chromium_mode="${CMRP_NEED_CHROMIUM:-default}"
want_chromium=0
if [ "$chromium_mode" != 0 ] && ! have_chromium; then want_chromium=1; fi

[ ${#need[@]} -eq 0 ] && [ "$want_chromium" = 0 ] && exit 0

warn_no_chromium() {
  echo "environment: warning: Chromium not installed ($1): PNG/SVG figure export is unavailable and the browser test skips;" \
    "install it with \`sudo apt-get install chromium\` or \`make setup CMRP_NEED_CHROMIUM=1\`" >&2
}

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
  # only the optional Chromium is missing: never stop at a sudo password prompt for it
  if [ ${#need[@]} -eq 0 ] && [ "$chromium_mode" != 1 ] && ! sudo -n true >/dev/null 2>&1; then
    warn_no_chromium "no root and no password-less sudo"
    exit 0
  fi
fi

if ! $SUDO apt-get update -qq; then
  if [ ${#need[@]} -gt 0 ] || [ "$chromium_mode" = 1 ]; then exit 1; fi
  warn_no_chromium "apt-get update failed"
  exit 0
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "environment: installing Debian packages: ${need[*]}"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if [ "$want_chromium" = 1 ]; then
  echo "environment: installing Debian package: chromium (PNG/SVG figure export, browser test; CMRP_NEED_CHROMIUM=0 skips it)"
  if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null; then
    if [ "$chromium_mode" = 1 ]; then
      echo "environment: installing chromium failed" >&2
      exit 1
    fi
    warn_no_chromium "apt-get install chromium failed"
  fi
fi
