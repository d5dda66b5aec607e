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
	swift build -c release
