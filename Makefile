# arbhost — two commands do everything on a fresh Debian machine with Swift:
#   make run    install what is missing, build host and plugins, run the demo on simulated venues
#   make test   the same build, then every test
# and `make bench` for the measured figures (release build; writes BENCHMARKS.md).

SWIFT      ?= swift
CONFIG     ?= debug
BUILD_DIR   = .build/$(CONFIG)
PLUGINS     = SpreadWatch CrossQuoter SimVenue
SYSTEM_PKGS = libcurl4-openssl-dev libssl-dev libsqlite3-dev libyaml-dev
ARGS       ?=

.PHONY: all deps build plugins run test bench clean

all: build

# Installs the system libraries the host links (or will link) when they are missing.
deps:
	@missing=""; for p in $(SYSTEM_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build -c $(CONFIG)
	@$(MAKE) --no-print-directory plugins CONFIG=$(CONFIG)

# The host looks for plugins in plugins/ next to its executable.
plugins:
	@mkdir -p $(BUILD_DIR)/plugins
	@for p in $(PLUGINS); do cp -f $(BUILD_DIR)/lib$$p.so $(BUILD_DIR)/plugins/; done

run: build
	$(BUILD_DIR)/arbhost run $(ARGS)

# The hot-path allocation check runs the release build (what production runs), so it is built too.
test: deps
	$(SWIFT) build --build-tests
	@$(MAKE) --no-print-directory plugins CONFIG=debug
	$(SWIFT) build -c release
	@$(MAKE) --no-print-directory plugins CONFIG=release
	$(SWIFT) test --skip-build

bench: deps
	$(SWIFT) build -c release
	@$(MAKE) --no-print-directory plugins CONFIG=release
	.build/release/arbhost-bench --plugins .build/release --json bench-results/bench.json --markdown BENCHMARKS.md

clean:
	rm -rf .build
