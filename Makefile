# cmrp-lab: every target installs what it needs, so `make demo` and `make test` work from a fresh clone.
SHELL := /bin/bash
NODE_MODULES_STAMP := node_modules/.package-lock.json
JUPYTER_ENV := JUPYTER_PATH=$(CURDIR)/.cache/jupyter CMRP_ROOT=$(CURDIR)
SYNTH_DIR := data/synth
SEED ?= 0
CLI := node dist/src/cli/main.js

.PHONY: setup deps build kernel data demo test lab clean

setup: deps build kernel

# Debian packages (Jupyter's headless executor + classic Notebook; Chromium for PNG/SVG figure export
# and the browser test: CMRP_NEED_CHROMIUM=1 requires it, =0 skips it), then npm ci when the lock changed.
deps: $(NODE_MODULES_STAMP)
	@bash environment/setup-debian.sh
	@ln -sfn .. node_modules/cmrp-lab   # notebooks `import 'cmrp-lab'`: the package resolves to this clone

$(NODE_MODULES_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

build: deps
	npx tsc -p tsconfig.json

kernel: deps
	@bash environment/register-kernel.sh .cache/jupyter

# The embedded synthetic RoleScape world (deterministic in SEED).
data: build
	@test -f $(SYNTH_DIR)/index.json || $(CLI) data synth --out $(SYNTH_DIR) --seed $(SEED)

# The main job: build the embedded dataset and execute every notebook (executed copies + figures).
demo: setup data
	$(JUPYTER_ENV) $(CLI) notebooks run notebooks/*.ipynb --out notebooks/executed
	@echo "demo: executed notebooks in notebooks/executed/, figures in figures/"

# All tests: unit tests, CLI tests, and every notebook executed headless with smoke configs.
test: setup
	$(JUPYTER_ENV) node --test --test-concurrency=1 dist/test/

# Jupyter on notebooks/: JupyterLab where installed, else the classic Notebook.
lab: setup
	@bash environment/register-kernel.sh "$${XDG_DATA_HOME:-$$HOME/.local/share}/jupyter"
	@flags="$(if $(filter 0,$(shell id -u)),--allow-root) $(if $(DISPLAY),,--no-browser)"; \
	 if command -v jupyter-lab >/dev/null 2>&1; then cd notebooks && jupyter lab $$flags; \
	 else cd notebooks && jupyter notebook $$flags; fi

clean:
	rm -rf dist .cache notebooks/executed $(SYNTH_DIR)
