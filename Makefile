# Doorstep (家门口) — see README.md.
GO    ?= go
DB    ?= doorstep.db
ADDR  ?= :8080
FUZZTIME ?= 30s
ROUNDS   ?= 100
LOADFLAGS ?=

.PHONY: run build test bench lint vendor sample fuzz crash load

## run: start the portal on http://localhost:8080 with the embedded sample street
run:
	$(GO) run ./cmd/doorstep serve --db $(DB) --addr $(ADDR)

## build: a static binary in bin/ (no cgo needed)
build:
	CGO_ENABLED=0 $(GO) build -o bin/doorstep ./cmd/doorstep

## test: vet, formatting, and every test with the race detector
test:
	$(GO) vet ./...
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) test -race -count=1 ./...

## bench: every benchmark, with allocations
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## lint: vet and formatting, plus staticcheck when installed
lint:
	$(GO) vet ./...
	@test -z "$$(gofmt -l .)" || (gofmt -l . && exit 1)
	@if command -v staticcheck >/dev/null 2>&1; then staticcheck ./...; else echo "staticcheck not installed; skipped"; fi

## vendor: refresh Leaflet in static/vendor from the npm package (the result is committed)
vendor:
	sh static/vendor.sh

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

## crash: the kill -9 test with ROUNDS rounds (default 100; make test runs 10)
crash:
	$(GO) test -count=1 -v -run 'TestCrashKeepsAcknowledgedWrites' ./cmd/doorstep -crash.rounds=$(ROUNDS)

## load: build the binary, serve the sample street on loopback and drive it with
## doorstep-load (nearest, doorstep, circle, coverage, writes, a 60 s mixed run, wrk
## when installed); LOADFLAGS passes flags, e.g. LOADFLAGS="--duration 20s"
load: build
	$(GO) run ./cmd/doorstep-load --bin bin/doorstep $(LOADFLAGS)
