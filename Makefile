# Two commands do all the set-up on a fresh Debian 12 machine with Swift:
#   make study   install what is missing, build in release, run the whole study
#   make test    install what is missing, build, run the tests
SWIFT      ?= swift
STUDY_ARGS ?=
BIN        := .build/release

.PHONY: all deps build study test bench figures clean

all: study

deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release --product study

study: build
	$(BIN)/study run $(STUDY_ARGS)

figures: build
	$(BIN)/study figures --to docs/images

# The study, then its reproducibility digest recomputed from the files and compared with the
# run's summary.json and, for a default run, with the README's (exit status 1 when different;
# VERIFY_ARGS="--output DIR" when STUDY_ARGS moved the output).
VERIFY_ARGS ?=
.PHONY: verify
verify: study
	$(BIN)/study verify $(VERIFY_ARGS)

# XCTest only: Swift Testing would print a second, empty "0 tests" summary.
# The test process gets the OpenBLAS kernels the executables pick for themselves (BLASKernels:
# OpenBLAS 0.3.21 falls back to slow generic kernels on CPUs newer than itself).
test: deps
	$(SWIFT) build --build-tests
	@core=$$($$($(SWIFT) build --show-bin-path)/study-bench kernels --coretype); \
	if [ -n "$$core" ]; then echo "OpenBLAS kernels for the tests: $$core"; export OPENBLAS_CORETYPE=$$core; fi; \
	$(SWIFT) test --skip-build --disable-swift-testing

bench: deps
	$(SWIFT) build -c release --product study-bench
	$(BIN)/study-bench $(BENCH_ARGS)

# The web demo on the model of the last study run (runs the study first if there is none).
MODEL      ?= output/05-training/model.safetensors
DEMO_ARGS  ?=
.PHONY: demo demo-load

demo: deps
	$(SWIFT) build -c release --product study-demo
	@test -f $(MODEL) || $(MAKE) study
	$(BIN)/study-demo --model $(MODEL) $(DEMO_ARGS)

# Bounded load test of the demo on 127.0.0.1: 50 clients, 2000 predictions of 3 s clips.
demo-load: deps
	$(SWIFT) build -c release --product study-demo
	@test -f $(MODEL) || $(MAKE) study
	$(BIN)/study-demo load --model $(MODEL) $(DEMO_ARGS)

# A seeded, time-bounded fuzz of the parsers of untrusted input (manifest, WAV, model file,
# multipart upload): no crash, no hang, nothing written outside a temporary folder, every
# refusal a clear error. `timeout` turns a hang into a failure. FUZZ_ARGS="--seed 7" for others.
FUZZ_ARGS ?=
# eGeMAPS v02 against openSMILE 2.6.0 on all 76 shared clips (make test checks 9 of them; this
# one takes ~2 minutes in a debug build; skipped with a message without ../shared).
.PHONY: test-egemaps
test-egemaps: deps
	$(SWIFT) build --build-tests
	EGEMAPS_PARITY=full $(SWIFT) test --skip-build --disable-swift-testing --filter EGeMAPSParityTests

# The study as a Jupyter notebook: every run writes output/study.ipynb beside the report (the
# study runs first when there is no output, as for the demo). Opens nothing.
.PHONY: notebook test-notebook
notebook: build
	@test -f output/study.ipynb -a -f output/summary.json || $(MAKE) study
	@echo "The notebook: output/study.ipynb"
	@echo "Open it with: jupyter lab output/study.ipynb"

# The notebook as Jupyter reads it (tools/check_notebook.py): a small run on two 3-word synthetic
# corpora (every chapter, the cross-corpus one too), its notebook validated by nbformat, converted
# by nbconvert (every heading and figure of report.html in the page), and run cell by cell with
# nbconvert --execute (the same digests). nbformat, nbconvert and ipykernel go into a virtual
# environment under .build; without python3-venv, Debian's python3-nbformat, jupyter-nbconvert and
# python3-ipykernel do.
NOTEBOOK_VENV  ?= .build/notebook-venv
NOTEBOOK_CHECK ?= .build/notebook-check
test-notebook: build
	@command -v python3 >/dev/null || { echo "test-notebook: python3 is missing (Debian: apt-get install python3 python3-venv)"; exit 1; }
	@if [ ! -x $(NOTEBOOK_VENV)/bin/python ]; then \
	  python3 -m venv $(NOTEBOOK_VENV) >/dev/null 2>&1 || { rm -rf $(NOTEBOOK_VENV); \
	    echo "test-notebook: python3 -m venv failed: python3's venv module is missing (Debian: apt-get install python3-venv)"; }; \
	fi; \
	if [ -x $(NOTEBOOK_VENV)/bin/python ]; then py=$(NOTEBOOK_VENV)/bin/python; \
	  $$py -c "import nbformat, nbconvert, ipykernel" 2>/dev/null || $$py -m pip install --quiet nbformat nbconvert ipykernel \
	    || { echo "test-notebook: pip could not install nbformat, nbconvert and ipykernel into $(NOTEBOOK_VENV) (no network?)"; exit 1; }; \
	else py=python3; echo "test-notebook: trying the system's python3 instead"; fi; \
	$$py -c "import nbformat, nbconvert, ipykernel" 2>/dev/null || { \
	  echo "test-notebook: $$py lacks nbformat, nbconvert or ipykernel: install python3-venv (the target then pip-installs them),"; \
	  echo "  or Debian's python3-nbformat, jupyter-nbconvert and python3-ipykernel"; exit 1; }; \
	rm -rf $(NOTEBOOK_CHECK) && \
	$(BIN)/study synthesize --quiet --output $(NOTEBOOK_CHECK)/corpus-a --words 3 --seed 1 >/dev/null && \
	$(BIN)/study synthesize --quiet --output $(NOTEBOOK_CHECK)/corpus-b --words 3 --seed 2 >/dev/null && \
	$(BIN)/study run --quiet --output $(NOTEBOOK_CHECK)/output --data $(NOTEBOOK_CHECK)/corpus-a \
	  --data $(NOTEBOOK_CHECK)/corpus-b --epochs 3 && \
	STUDY=$(abspath $(BIN)/study) $$py tools/check_notebook.py $(NOTEBOOK_CHECK)/output --execute

# A small sweep (24 cells) through a real one-node Slurm cluster started for it
# (scripts/slurm-local.sh: Debian's slurm-wlm and munge, root needed), one array task cancelled
# and resumed, compared byte for byte with the local executor; every daemon stopped at the end.
.PHONY: test-slurm
test-slurm: build
	bash scripts/test-slurm.sh

.PHONY: fuzz
fuzz: deps
	$(SWIFT) build -c release --product study-fuzz
	timeout 180 $(BIN)/study-fuzz $(FUZZ_ARGS)

clean:
	rm -rf .build
	@if [ -d output ]; then find output -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +; fi
