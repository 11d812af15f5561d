# cmrp-lab: every target installs what it needs, so `make demo` and `make test` work from a fresh clone.
SHELL := /bin/bash
NODE_MODULES_STAMP := node_modules/.package-lock.json
JUPYTER_ENV := JUPYTER_PATH=$(CURDIR)/.cache/jupyter CMRP_ROOT=$(CURDIR)
SYNTH_DIR := data/synth
SEED ?= 0
CLI := node dist/src/cli/main.js

.PHONY: setup deps build kernel jupyterlab data demo demo-results demo-notebooks test lab clean torch-env
LAB_VENV := .cache/venv-lab

setup: deps build kernel jupyterlab

# Debian packages (Jupyter's headless executor + classic Notebook; Chromium for PNG/SVG figure export
# and the browser test: CMRP_NEED_CHROMIUM=1 requires it, =0 skips it), then npm ci when the lock changed.
deps: $(NODE_MODULES_STAMP)
	@bash environment/setup-debian.sh
	@ln -sfn .. node_modules/cmrp-lab   # notebooks `import 'cmrp-lab'`: the package resolves to this clone

$(NODE_MODULES_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

build: deps
	@rm -rf dist   # a moved or deleted source's old output would shadow the new one (dist/src/judges/real.js over real/index.js)
	npx tsc -p tsconfig.json

kernel: deps
	@bash environment/register-kernel.sh .cache/jupyter

# JupyterLab 4 + jupyterlab-plotly in $(LAB_VENV) (PyPI, else wheel folders found on the machine;
# see environment/jupyterlab.sh). Nothing is installed again once the venv has them.
jupyterlab:
	@bash environment/jupyterlab.sh $(LAB_VENV)

# The embedded synthetic RoleScape world (deterministic in SEED).
data: build
	@test -f $(SYNTH_DIR)/index.json || $(CLI) data synth --out $(SYNTH_DIR) --seed $(SEED)

# The main job, on the embedded synthetic world: one character customized (Unified-SFT, then
# Character-GRPO) and scored against the prompt-only baseline (results/demo: report.md, results.json,
# figures/), and every notebook executed (notebooks/executed/, figures in figures/). Two lanes, one
# per core: the experiment then the notebooks reading committed results (05, 07); the notebooks that
# train (01-04, 06).
DEMO_CHARACTER ?= Calmaric
LANE_RESULTS := notebooks/05-ablations.ipynb notebooks/07-real-rolescape.ipynb
demo: setup data
	@$(MAKE) --no-print-directory -j2 demo-results demo-notebooks
	@echo "demo: report in results/demo/report.md, executed notebooks in notebooks/executed/, figures in figures/ and results/demo/figures/"

demo-results:
	$(CLI) experiment --grid demo --characters $(DEMO_CHARACTER) --seeds 1 --out results/demo --quiet
	$(JUPYTER_ENV) $(CLI) notebooks run $(wildcard $(LANE_RESULTS)) --out notebooks/executed

demo-notebooks:
	$(JUPYTER_ENV) $(CLI) notebooks run $(filter-out $(LANE_RESULTS),$(wildcard notebooks/*.ipynb)) --out notebooks/executed

# All tests: unit tests, CLI tests, and every notebook executed headless with smoke configs.
test: setup
	$(JUPYTER_ENV) node --test --test-concurrency=1 dist/test/

# The PyTorch 2.x yardstick of `cmrp bench --torch` (which also makes it on first use): a venv in
# .cache/venv-torch from PyPI, or from local wheel folders found on the machine when PyPI is unreachable.
torch-env:
	@bash environment/python-venv.sh .cache/venv-torch $$(grep -v '^#' environment/torch-requirements.txt)

# Jupyter on notebooks/: the project's JupyterLab 4 ($(LAB_VENV)), else a jupyter-lab on PATH, else
# the classic Notebook. The kernel (and plotly.js for the classic Notebook) is registered in
# .cache/jupyter (JUPYTER_PATH) and the per-user Jupyter data dir.
lab: setup
	@bash environment/register-kernel.sh "$${XDG_DATA_HOME:-$$HOME/.local/share}/jupyter"
	@flags="$(if $(filter 0,$(shell id -u)),--allow-root) $(if $(DISPLAY),,--no-browser)"; \
	 export $(JUPYTER_ENV); \
	 if [ -x $(LAB_VENV)/bin/jupyter-lab ]; then cd notebooks && ../$(LAB_VENV)/bin/jupyter-lab $$flags; \
	 elif command -v jupyter-lab >/dev/null 2>&1; then cd notebooks && jupyter lab $$flags; \
	 else cd notebooks && jupyter notebook $$flags; fi

clean:
	rm -rf dist .cache notebooks/executed $(SYNTH_DIR)
