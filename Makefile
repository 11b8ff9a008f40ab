# The two commands a user needs: `make demo` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
BUILD := build
BUILD_ASAN := build-asan
LIT := $(VENV)/bin/lit
JOBS ?= $(shell nproc)
export PYTHONPATH := $(CURDIR)/python
# The kernels the tests compile are cached in the build (lib/run/Cache.c), not in the user's cache.
export HELION_MLIR_CACHE_DIR ?= $(CURDIR)/$(BUILD)/kernel-cache

.PHONY: setup build build-asan demo test test-lit test-lit-asan test-unit test-python fixtures fuzz clean

setup:
	@scripts/setup.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

$(BUILD_ASAN)/CMakeCache.txt:
	cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DHELION_MLIR_SANITIZE=ON >/dev/null

build: setup $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

build-asan: setup $(BUILD_ASAN)/CMakeCache.txt
	cmake --build $(BUILD_ASAN) -j $(JOBS)

demo: build
	@scripts/demo.sh

test-unit: build build-asan
	$(BUILD)/bin/helion-mlir-unittests
	$(BUILD_ASAN)/bin/helion-mlir-unittests

test-lit: build
	$(LIT) -sv $(BUILD)/test

# The same lit suite with the sanitized tools: a crash or leak fails the test that caused it.
test-lit-asan: build-asan
	$(LIT) -sv $(BUILD_ASAN)/test

test-python: build
	$(PY) -m pytest -q test/python

test: test-unit test-lit test-lit-asan test-python

fixtures: setup
	scripts/regen-fixtures

# libFuzzer over the C entry points for FUZZ_TIME seconds (scripts/fuzz installs clang-22 if needed).
# `make test` needs no clang: it replays test/fuzz/regressions/ through the sanitized build.
FUZZ_TIME ?= 600
fuzz: setup
	FUZZ_TIME=$(FUZZ_TIME) scripts/fuzz

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) build-fuzz
