#!/usr/bin/env bash
# JupyterLab 4 for `make lab` and the JupyterLab browser test, in a project-local virtual environment
# (.cache/venv-lab by default), with the jupyterlab-plotly extension (from the `plotly` Python package;
# it renders the figures' application/vnd.plotly.v1+json outputs with its own plotly.js 4.x).
# environment/python-venv.sh does the installing: from PyPI where it answers, else from the wheel
# folders it finds on the machine. A failure is a warning, not an error (exit 0): `make lab` then
# opens the classic Notebook and the JupyterLab browser test skips, saying why;
# CMRP_NEED_JUPYTERLAB=1 makes it an error, =0 skips the install.
#   environment/jupyterlab.sh [VENV_DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${1:-$root/.cache/venv-lab}"
mode="${CMRP_NEED_JUPYTERLAB:-default}"
[ "$mode" = 0 ] && exit 0
if ! bash "$root/environment/python-venv.sh" "$venv" 'jupyterlab>=4,<5' 'plotly>=6,<8' >/dev/null; then
  if [ "$mode" = 1 ]; then echo "environment: JupyterLab could not be installed into $venv" >&2; exit 1; fi
  echo "environment: warning: JupyterLab not installed into $venv: \`make lab\` opens the classic Notebook; the JupyterLab browser test skips" >&2
fi
