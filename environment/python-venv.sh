#!/usr/bin/env bash
# A project-local Python virtual environment with the given pip requirements, made once:
#   environment/python-venv.sh VENV_DIR REQUIREMENT...      e.g. .cache/venv-lab 'jupyterlab>=4,<5'
# Where PyPI answers, pip installs from it. Where it does not (a closed network), pip installs with
# --no-index from local wheel folders found on this machine: $CMRP_WHEELS (colon-separated) first,
# then any folder under /opt, /srv, /usr/local/share or $HOME holding a wheel of the first
# requirement. Nothing is hard-coded. Prints the venv's python on success; exit 1 with one line
# naming what is missing otherwise. Already satisfied: nothing is installed again.
set -euo pipefail
venv="${1:?usage: python-venv.sh VENV_DIR REQUIREMENT...}"
shift
[ $# -gt 0 ] || { echo "python-venv.sh: no requirements given" >&2; exit 2; }
py="${CMRP_PYTHON:-python3}"
command -v "$py" >/dev/null 2>&1 || { echo "python-venv: no $py on PATH (install python3 and python3-venv)" >&2; exit 1; }

stamp="$venv/.cmrp-requirements"
want="$(printf '%s\n' "$@")"
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "$venv/bin/python"
  exit 0
fi

pypi_reachable() {
  "$py" - <<'PY' >/dev/null 2>&1
import urllib.request
urllib.request.urlopen("https://pypi.org/simple/pip/", timeout=5)
PY
}

# Folders holding a wheel of the first requirement's distribution (name normalized as wheels spell it).
find_wheel_dirs() {
  local name
  name="$(printf '%s' "$1" | sed -E 's/[<>=!~;[ ].*//' | tr '[:upper:]-.' '[:lower:]__')"
  {
    if [ -n "${CMRP_WHEELS:-}" ]; then tr ':' '\n' <<<"$CMRP_WHEELS"; fi
    for root in /opt /srv /usr/local/share "$HOME"; do
      [ -d "$root" ] && find "$root" -maxdepth 4 -type f -iname "${name}-*.whl" -printf '%h\n' 2>/dev/null
    done
  } | awk 'NF && !seen[$0]++'
}

if [ ! -x "$venv/bin/python" ]; then
  "$py" -m venv "$venv" || { echo "python-venv: cannot create $venv (Debian: apt-get install python3-venv)" >&2; exit 1; }
fi
pip=("$venv/bin/python" -m pip install --quiet --disable-pip-version-check)
if pypi_reachable; then
  src="PyPI"
else
  mapfile -t dirs < <(find_wheel_dirs "$1")
  if [ ${#dirs[@]} -eq 0 ]; then
    echo "python-venv: PyPI is unreachable and no local wheel folder holds '$1' (set CMRP_WHEELS=DIR)" >&2
    exit 1
  fi
  # every wheel folder of the machine as a source: dependencies may sit beside or apart from the package
  mapfile -t all < <(for root in /opt /srv /usr/local/share "$HOME"; do [ -d "$root" ] && find "$root" -maxdepth 4 -type f -name '*.whl' -printf '%h\n' 2>/dev/null; done | awk '!seen[$0]++')
  pip+=(--no-index)
  for d in "${dirs[@]}" "${all[@]}"; do pip+=(--find-links "$d"); done
  src="local wheels (${dirs[*]})"
fi
echo "python-venv: installing $* into $venv from $src" >&2
"${pip[@]}" "$@" >&2 || { echo "python-venv: pip could not install $* from $src" >&2; exit 1; }
printf '%s\n' "$want" >"$stamp"
echo "$venv/bin/python"
