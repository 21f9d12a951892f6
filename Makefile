# Every target builds .venv from the project's own files first, so a fresh clone needs nothing else.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast fuzz lint format bench bench-peer bench-ai docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Generate the example backend into demo/ (regenerating keeps hand edits), then install,
# migrate and serve it.
demo: $(STAMP)
	$(BIN)/fastapi-architect check examples/taskflow.yaml
	$(BIN)/fastapi-architect new examples/taskflow.yaml -o demo --force
	$(MAKE) -C demo dev

test: $(STAMP)
	$(BIN)/pytest -n 2 --dist loadgroup -q

test-fast: $(STAMP)
	$(BIN)/pytest -n 2 --dist loadgroup -q -m "not slow"

# Random specs (tests/fuzz): FUZZ_EXAMPLES specs (default 200) that check accepts, drawn from
# a fresh seed, each generated and its own tests run; prints what was drawn, refused,
# generated, passed and failed. FUZZ_MINUTES=25 bounds the run;
# FUZZ_KEEP_GOING=1 records every failure (in FUZZ_FAILURES) instead of shrinking the first.
fuzz: $(STAMP)
	FUZZ_EXAMPLES=$(or $(FUZZ_EXAMPLES),200) $(BIN)/pytest tests/fuzz/test_random_specs.py \
		-k generate_passing_projects -p no:cacheprovider -q

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src/fastapi_architect

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

# Figures, not assertions: spec checks, generation, review (beside bandit), api-diff on a
# 2,500-operation API, and a generated
# backend served on PostgreSQL at 10k and 1M rows (about 10 minutes in all).
bench: $(STAMP)
	$(BIN)/python bench/check_speed.py
	$(BIN)/python bench/generate_speed.py
	$(BIN)/python bench/review_speed.py
	$(BIN)/python bench/api_diff_speed.py
	$(BIN)/python bench/evolve_speed.py
	$(BIN)/python bench/evolve_locks.py
	$(BIN)/python bench/served_backend.py

# The generated taskflow beside full-stack-fastapi-template's backend, from a checkout of it:
# make bench-peer PEER=path/to/full-stack-fastapi-template
bench-peer: $(STAMP)
	@test -n "$(PEER)" || (echo "set PEER to a checkout of full-stack-fastapi-template" && exit 2)
	$(BIN)/python bench/served_backend.py --peer $(PEER)

docs: $(STAMP)
	$(BIN)/python -m fastapi_architect.spec.reference README.md
	$(BIN)/python -m fastapi_architect.apidiff.render docs/api-diff.md
	$(BIN)/python -m fastapi_architect.evolve.render docs/evolve.schema.json

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

# One AI action under load (N users x M concurrent calls, a slow fake provider): budgets hold,
# cache hits counted, the layer's p99 overhead. BENCH_POSTGRES_URL=postgresql://... for PostgreSQL.
bench-ai: $(STAMP)
	$(BIN)/python bench/ai_load.py $(if $(BENCH_POSTGRES_URL),--database-url $(BENCH_POSTGRES_URL))
