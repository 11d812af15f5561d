#!/usr/bin/env bash
# Registers the `cmrp-lab` Jupyter kernel: the project's own tslab (node_modules/tslab), so the
# notebooks run with exactly the TypeScript and packages of this clone.
#   environment/register-kernel.sh DEST   writes DEST/kernels/cmrp-lab/kernel.json
# `make` calls it twice: into .cache/jupyter (what the tests and `make demo` use via JUPYTER_PATH,
# so a test run never depends on another clone) and into the per-user Jupyter data dir (for `make lab`
# and any Jupyter the user starts).
# It also copies the project's plotly.js (node_modules/plotly.js-dist) to DEST/nbextensions/cmrp-lab/,
# where the classic Notebook's server serves it: a figure's HTML fallback loads it from there through
# RequireJS, so saved notebooks carry no copy of the library (JupyterLab draws figures with the
# jupyterlab-plotly extension installed by environment/jupyterlab.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="${1:?usage: register-kernel.sh DEST}"
mkdir -p "$dest/kernels/cmrp-lab"
cat > "$dest/kernels/cmrp-lab/kernel.json" <<JSON
{
  "argv": ["$(command -v node)", "$root/node_modules/tslab/bin/tslab", "kernel", "--config-path", "{connection_file}"],
  "display_name": "TypeScript (cmrp-lab)",
  "language": "typescript",
  "env": {"CMRP_ROOT": "$root"}
}
JSON

plotly="$root/node_modules/plotly.js-dist/plotly.js"
if [ -f "$plotly" ]; then
  mkdir -p "$dest/nbextensions/cmrp-lab"
  cmp -s "$plotly" "$dest/nbextensions/cmrp-lab/plotly.js" || cp "$plotly" "$dest/nbextensions/cmrp-lab/plotly.js"
fi
