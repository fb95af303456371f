# Doorstep (家门口) — see README.md.
GO    ?= go
# DB and ADDR are passed to serve only when set (make run ADDR=:9090); otherwise
# the binary reads DOORSTEP_DB and DOORSTEP_ADDR, defaulting to doorstep.db and :8080.
DB    ?=
ADDR  ?=
DEMO_PASSWORD ?= demo-password
FUZZTIME ?= 30s
ROUNDS   ?= 100
LOADFLAGS ?=
ANCHORFLAGS ?=

.PHONY: run demo-accounts build test test-long a11y bench lint lint-web vendor sample fuzz crash load hostile anchor

## run: start the portal on http://localhost:8080 (or DOORSTEP_ADDR) with the
## embedded sample street
run:
	$(GO) run ./cmd/doorstep serve $(if $(DB),--db $(DB)) $(if $(ADDR),--addr $(ADDR))

## demo-accounts: on the sample street's database, a staff account of one meal-point
## operator (staff.demo) and a street-office account (office.demo), both with the
## password DEMO_PASSWORD; for trying /staff and /office, never for a real portal
demo-accounts: build
	@set -e; db="$(or $(DB),$(or $(DOORSTEP_DB),doorstep.db))"; \
	org=$$(bin/doorstep user orgs --db "$$db" | awk '/凉馨餐饮/ {print $$1; exit}'); \
	if [ -z "$$org" ]; then echo "$$db holds no sample street: run make run first"; exit 1; fi; \
	echo "$(DEMO_PASSWORD)" | bin/doorstep user add --db "$$db" --username staff.demo --role staff --org $$org || true; \
	echo "$(DEMO_PASSWORD)" | bin/doorstep user add --db "$$db" --username office.demo --role office || true; \
	echo "sign in at /staff as staff.demo and at /office as office.demo, password $(DEMO_PASSWORD)"

## build: a static binary in bin/ (no cgo needed)
build:
	CGO_ENABLED=0 $(GO) build -o bin/doorstep ./cmd/doorstep

## test: lint, then every test: under the race detector in RACE_PKGS, the packages
## whose code runs goroutines; the rest (pure computation, which the detector slows
## tenfold) without. Slow suites run their short form; TEST_TIMEOUT bounds each
## package's run: it stops a hung package, and stays well above the slowest package
## (server, about 3.5 min under -race on a quiet 2-core machine) so a busy machine
## does not fail a passing run.
RACE_PKGS    ?= ./cmd/... ./finder/... ./server/... ./store/...
TEST_TIMEOUT ?= 8m
test: lint
	$(GO) test -count=1 -timeout $(TEST_TIMEOUT) $$($(GO) list ./... | grep -vxF "$$($(GO) list $(RACE_PKGS))")
	$(GO) test -race -count=1 -timeout $(TEST_TIMEOUT) $(RACE_PKGS)

## test-long: make test with the long forms (DOORSTEP_LONG=1, internal/testenv):
## 100 kill -9 rounds, 40 Monaco walk origins
test-long:
	DOORSTEP_LONG=1 $(MAKE) --no-print-directory test TEST_TIMEOUT=30m

## a11y: axe-core (WCAG 2.2 AA) on every page and state in normal and elder mode on a
## phone and a desk screen, with elder mode's measures (make test runs elder mode on
## the phone only); SHOTS=dir also saves a screenshot of each state there
SHOTS ?=
a11y:
	DOORSTEP_LONG=1 $(if $(SHOTS),DOORSTEP_SCREENSHOTS=$(abspath $(SHOTS))) $(GO) test -count=1 -timeout 15m -run '^TestBrowserAccessibility$$' ./server

## bench: every benchmark, with allocations
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## lint: vet, formatting, and staticcheck at the version go.mod pins (its tool line)
lint:
	$(GO) vet ./...
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) tool staticcheck ./...
	@$(MAKE) --no-print-directory lint-web

## lint-web: ESLint and Stylelint on static/, pinned in tools/lint-web/package-lock.json;
## npm ci installs them the first time, after that no network is needed. Without
## node it is skipped, except in CI (CI set), where it must run.
WEBLINT := tools/lint-web/node_modules/.bin
lint-web:
	@if ! command -v node >/dev/null 2>&1; then \
		if [ -n "$$CI" ]; then echo "lint-web: node is needed in CI"; exit 1; fi; \
		echo "node not installed; JS/CSS lint skipped"; exit 0; fi; \
	[ -x $(WEBLINT)/eslint ] && [ -x $(WEBLINT)/stylelint ] || (cd tools/lint-web && npm ci --no-audit --no-fund --loglevel=error) || exit 1; \
	$(WEBLINT)/eslint --max-warnings 0 -c tools/lint-web/eslint.config.js static && \
	$(WEBLINT)/stylelint --max-warnings 0 --config tools/lint-web/stylelint.config.js 'static/*.css'

## vendor: refresh Leaflet in static/vendor and axe-core (the accessibility tests'
## checker) in server/testdata/axe from their npm packages (the results are committed)
vendor:
	sh static/vendor.sh
	sh server/testdata/axe/vendor.sh

## sample: regenerate the sample street's generated files in store/sample
sample:
	$(GO) run ./store/sample/gen

## fuzz: run every fuzz target (go test -list '^Fuzz') for FUZZTIME each; a failing
## input is saved under the package's testdata/fuzz and then runs with make test
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
		for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "== $$pkg $$t ($(FUZZTIME))"; \
			$(GO) test -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done

## crash: the kill -9 test with ROUNDS rounds (default 100; make test runs 4)
crash:
	$(GO) test -count=1 -v -run 'TestCrashKeepsAcknowledgedWrites' ./cmd/doorstep -crash.rounds=$(ROUNDS)

## load: build the binary, serve the sample street on loopback and drive it with
## cmd/doorstep-load — nearest, doorstep and circle at 2, 16 and 64 clients with vegeta
## and wrk (Debian's wrk, installed with apt-get when missing and run as root), then
## coverage, writes and a 60 s mixed run; each run's server CPU, RSS and CPU profile
## (saved in bench-results/). LOADFLAGS passes flags, e.g. LOADFLAGS="--duration 20s"
## or LOADFLAGS='--db city.db' to serve a copy of a city
load: build
	$(GO) run ./cmd/doorstep-load --bin bin/doorstep $(LOADFLAGS)

## hostile: the hostile suite of issue 12 — every TestHostile* test (make test runs
## them too), then the fair-use benchmark: 20 clients ask for an hour's circles at
## the fastest speed for 20 s while a prober measures /api/doorstep latency (its
## p99 is the figure; the clients and the server share this machine's cores)
hostile: build
	$(GO) test -count=1 -run '^TestHostile' ./...
	$(GO) run ./cmd/doorstep-load --bin bin/doorstep --scenarios hostile $(LOADFLAGS)

## anchor: the side-by-side benchmark against PostgreSQL 15 + PostGIS + pgRouting
## (installed with apt-get when missing, as root): the generated city of a million
## nodes loaded into both, the same origins through both, interleaved, 3 repeats;
## checks the answers agree and prints a markdown table of figures and ratios, also
## written to bench-results/ (docs/benchmarks.md). Not part of make test; about 20
## minutes. ANCHORFLAGS passes flags, e.g. ANCHORFLAGS='--gen "--nodes 100000
## --services 10000 --areas 500"' for a small city
anchor: build
	$(GO) run ./cmd/doorstep-anchor --bin bin/doorstep $(ANCHORFLAGS)
