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

## bench: Go benchmarks, then a short load run of the real server (figures in README)
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
	$(GO) run ./server/loadtest/kefuload -runs 3 -visitors 2000 -chatters 500 -agents 20 -rate 500 -duration 15s

## faulttest: kill -9 the server at random moments under load; every acked message must survive
.PHONY: faulttest
faulttest:
	KEFU_FAULT_ROUNDS=10 KEFU_FAULT_VISITORS=50 KEFU_FAULT_MESSAGES=100 \
		$(GO) test -run '^TestFaultInjection$$' -count=1 -v -timeout 10m ./server/loadtest/

## fuzz: run every fuzz target for FUZZTIME each (go test already runs their seed corpora)
FUZZTIME ?= 30s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeFrame$$' -fuzztime $(FUZZTIME) ./server/web/
	$(GO) test -run '^$$' -fuzz '^FuzzText$$' -fuzztime $(FUZZTIME) ./server/plain/
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./server/source/
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./server/channel/
	$(GO) test -run '^$$' -fuzz '^FuzzReader$$' -fuzztime $(FUZZTIME) ./server/geo/

## lint: formatting and vet
lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1)
	$(GO) vet ./...

## geo-update: refresh the embedded IP → region database from the npm package ip2region
geo-update:
	server/geo/update.sh

clean:
	rm -rf bin
