# secure-webapp: two commands after cloning, `make synth` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

# The CDK CLI pinned in package.json, installed locally by `npm ci`.
CDK := node_modules/.bin/cdk
# Node 20 is end-of-life for jsii and the CDK CLI; it still works. Use Node 22+.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
# jsii runs the CDK on the Node 24 that package.json pins (npm's node package
# ships the binary): synthesis takes a third less time than on Node 20. The
# machine's node is the fallback until npm ci has run.
WITH_NODE = JSII_NODE="$$(if [ -x node_modules/node/bin/node ]; then echo $(CURDIR)/node_modules/node/bin/node; else command -v node; fi)"

.PHONY: synth test verify snapshot docs fmt vet clean

## synth: synthesize the default configuration into cdk.out/ (no AWS credentials),
## fail on any unsuppressed cdk-nag error, then verify every control.
synth: $(CDK)
	$(WITH_NODE) $(CDK) synth --quiet $(CDK_ARGS)
	go run ./cmd/verify cdk.out

$(CDK): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $(CDK)

## test: formatting, go vet, and every test (one synthesis per profile); the
## Control Tower guard rules come from node_modules, hence npm ci first.
## -vet=all runs every go vet analyzer on every package, tests or not, inside
## the test build: it shares that build's compilation (a separate go vet
## running alongside would compile the CDK a second time on a cold cache).
test: $(CDK) fmt
	$(WITH_NODE) go test -vet=all ./...

# gofmt on the module's own files (a directory argument would recurse into node_modules).
GO_FILES = go list -f '{{$$d := .Dir}}{{range .GoFiles}}{{$$d}}/{{.}} {{end}}{{range .TestGoFiles}}{{$$d}}/{{.}} {{end}}{{range .XTestGoFiles}}{{$$d}}/{{.}} {{end}}' ./...
fmt:
	@out=$$(gofmt -l $$($(GO_FILES))); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	go vet ./...

## verify: check an existing cdk.out against every control.
verify:
	go run ./cmd/verify cdk.out

## snapshot: rewrite the golden templates in test/testdata/ (review the diff!).
snapshot: $(CDK)
	$(WITH_NODE) go test ./test -run 'TestSnapshots' -update

## docs: regenerate docs/CONTROLS.md, ARCHITECTURE.md, COSTS.md and README.md's configuration reference.
docs: $(CDK)
	$(WITH_NODE) go test ./test -run 'TestGeneratedDocs' -update

clean:
	rm -rf cdk.out verify.sarif
