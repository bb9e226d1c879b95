# medlm: two commands on a fresh machine.
#   make demo   creates .venv, installs medlm, runs the demo on the packaged real data
#   make test   creates .venv, installs medlm, runs lint, types and the whole test suite
#
# PyTorch: by default the CPU build is installed (TORCH_SPEC below), never a CUDA one.
# On a machine with a CUDA GPU choose another build, e.g.
#   make setup TORCH_SPEC="torch==2.13.0" TORCH_INDEX_URL=<your PyTorch CUDA wheel index>
# On a machine whose default index serves CUDA wheels for Linux, point TORCH_INDEX_URL at
# PyTorch's CPU wheel index to keep the download small.

PYTHON ?= python3
VENV ?= .venv
TORCH_SPEC ?= torch==2.13.0
TORCH_INDEX_URL ?=
EXTRAS ?= data,postgres,reports,export,llm,privacy-ner,ray,dev
PYTEST_ARGS ?=

BIN := $(VENV)/bin
STAMP := $(VENV)/.medlm-installed

.PHONY: setup demo test lint typecheck clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -c "import torch" 2>/dev/null || \
		$(BIN)/pip install --quiet "$(TORCH_SPEC)" $(if $(TORCH_INDEX_URL),--index-url $(TORCH_INDEX_URL))
	$(BIN)/pip install --quiet -e ".[$(EXTRAS)]"
	@$(BIN)/python -c "import torch; print('torch', torch.__version__, 'cuda' if torch.version.cuda else 'cpu build')"
	@touch $(STAMP)

demo: setup
	HF_HUB_OFFLINE=1 $(BIN)/medlm demo --out demo-output

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: setup
	$(BIN)/mypy

test: lint typecheck
	@{ command -v chromium && fc-list :lang=zh | grep -q .; } >/dev/null 2>&1 || \
		{ [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && { export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y -qq chromium fonts-wqy-microhei || { apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-microhei; }; }; } || \
		echo "chromium (and a Chinese font) missing and not installable here: browser tests may be skipped" >&2
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) demo-output .pytest_cache .mypy_cache .ruff_cache
