# The two commands that matter: `make demo` and `make test`. See README.md.
SHELL := /bin/bash
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export TRUNK_SKIP_VERSION_CHECK := true
WASM := --target wasm32-unknown-unknown

.PHONY: demo dev package test bench bootstrap lint native-test wasm-test e2e dist size fuzz native-bins diffcheck

bootstrap:
	@bash scripts/bootstrap

## demo: build the widget, generate the demo data, serve both on http://127.0.0.1:8080/
demo: bootstrap dist native-bins
	./target/server/sla-server demo-data --out .demo/data
	@echo "SLA portal demo: http://127.0.0.1:8080/  (Ctrl-C stops it)"
	./target/server/sla-server serve --addr 127.0.0.1:8080 --data .demo/data --db .demo/claims.db --dist dist --demo

## dev: the development loop: `trunk serve` on :8081 (rebuilds on change), API passed through
## to a running `make demo` on :8080. The only target that needs trunk.
dev:
	@BOOTSTRAP_TRUNK=1 bash scripts/bootstrap
	trunk serve

## test: everything CI checks
test: bootstrap lint native-test wasm-test diffcheck size e2e

lint:
	@# The repository documents itself (docs/): no file may point outside it.
	@! git grep -n -I -e '\.\./shared' -- . || { echo 'lint: references outside the repository (see above)'; exit 1; }
	@# One place tells the two builds apart (src/stage/mod.rs): no other widget file names the feature.
	@test "$$(git grep -l 'first-paint' -- src)" = "src/stage/mod.rs" || { echo 'lint: only src/stage/mod.rs may name the first-paint feature:'; git grep -n 'first-paint' -- src; exit 1; }
	cargo fmt --all -- --check
	python3 scripts/module-cycles.py src crates/sla-rules/src crates/sla-server/src crates/sla-cli/src
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p sla-rules $(WASM) -- -D warnings
	cargo clippy -p sla-portal --all-targets $(WASM) -- -D warnings
	cargo clippy -p sla-portal $(WASM) --features first-paint -- -D warnings

native-test:
	cargo test --workspace

wasm-test:
	cargo test -p sla-portal $(WASM)

dist:
	bash scripts/build-widget

## size: fails when the first paint (what a host loads before the first chart) is over
## 200,000 bytes at brotli -q 11
size: dist
	node e2e/first-paint-size.mjs dist

## package: sla-portal-<version>.tgz (npm pack) for host portals; see package/README.md
package: bootstrap
	bash scripts/package

native-bins:
	cargo build --profile server -p sla-cli -p sla-server

## diffcheck: `sla report` against an independent Python implementation of the rules
diffcheck: native-bins
	python3 scripts/diffcheck.py target/server/sla 120

e2e: dist native-bins
	SLA_BIN=target/server/sla SLA_SERVER_BIN=target/server/sla-server npm run e2e

## bench: figures for speed and size (never assertions)
bench: bootstrap dist native-bins
	cargo bench -p sla-rules
	SLA_BIN=target/server/sla SLA_SERVER_BIN=target/server/sla-server npm run bench
	cargo bench -p sla-server --bench load --profile server
	cargo bench -p sla-server --bench scale --profile server
	cargo bench -p sla-server --bench queue --profile server
	cargo bench -p sla-server --bench ingest --profile server

## fuzz: parse+evaluate of arbitrary bytes (FUZZ_SECONDS, default 600)
fuzz: bootstrap
	bash scripts/fuzz
