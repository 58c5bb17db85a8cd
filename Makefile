# kefu — run, test, bench, lint. See README.md.
GO      ?= go
BIN     ?= bin/kefu
VERSION ?= 0.1.0-dev

.PHONY: run build test test-short bench lint fuzz geo-update clean

## run: build and start kefu with data in ./data, HTTP on :8080, SSH on :2222
run: build
	./$(BIN) serve

## build: compile the kefu binary into bin/
build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) .

## test: the whole suite with the race detector (what CI runs)
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 15m ./...

## test-short: the suite without the slow end-to-end tests
test-short:
	$(GO) test -short -count=1 ./...

## bench: Go benchmarks
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## lint: formatting and vet
lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1)
	$(GO) vet ./...

## geo-update: refresh the embedded IP → region database from the npm package ip2region
geo-update:
	server/geo/update.sh

clean:
	rm -rf bin
