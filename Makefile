# The two commands of the README: `make run` and `make test`. Both install what is missing.
.PHONY: run test check bench build release

run:
	@scripts/install-deps
	swift run tagd serve --tags tags --templates templates

test:
	@scripts/install-deps
	swift build --build-tests
	swift test --skip-build

check:
	@scripts/install-deps
	swift run tagd check .

build:
	@scripts/install-deps
	swift build

release:
	@scripts/install-deps
	swift build -c release --static-swift-stdlib

# The benchmark (BENCHMARKS.md): release build, fake Pinterest, tagd vs the nginx + Lua peer (when
# ../shared/peers/nginx-lua exists), wrk on 127.0.0.1. `make bench BENCH_ARGS=--smoke` runs it in seconds.
bench:
	@scripts/install-deps wrk
	scripts/bench $(BENCH_ARGS)
