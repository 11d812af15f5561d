#!/usr/bin/env bash
# Registers the `cmrp-lab` Jupyter kernel: the project's own tslab (node_modules/tslab), so the
# notebooks run with exactly the TypeScript and packages of this clone.
#   environment/register-kernel.sh DEST   writes DEST/kernels/cmrp-lab/kernel.json
# `make` calls it twice: into .cache/jupyter (what the tests and `make demo` use via JUPYTER_PATH,
# so a test run never depends on another clone) and into the per-user Jupyter data dir (for `make lab`
# and any Jupyter the user starts).
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
