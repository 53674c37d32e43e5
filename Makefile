# Gazette — build, test, run. `make` builds ./gazette; `make run` serves the demo site;
# `make test` runs every suite (unit, Mustache spec, end-to-end, and the sanitizer builds).
# Debian packages the build needs are installed by `make deps` (called automatically).

CC      ?= cc
PKGS    := libmicrohttpd jansson sqlite3 libcmark-gfm libsodium libutf8proc zlib libbrotlienc \
           libxml-2.0 libcurl openssl glib-2.0 vips libpq
CFLAGS_COMMON := -std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter \
                 -pthread -MMD -MP $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcmark-gfm-extensions -lstemmer -lm -pthread
TEST_LDLIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

RELEASE_CFLAGS := -O2 -g
ASAN_CFLAGS    := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

SRCS     := $(shell find src -name '*.c' | sort)
LIB_SRCS := $(filter-out src/cli/main.c,$(SRCS))
TESTS    := $(basename $(notdir $(wildcard tests/unit/test_*.c)))

DEPS_APT := build-essential pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev \
            libcmark-gfm-dev libcmark-gfm-extensions-dev libsodium-dev libcmocka-dev \
            libutf8proc-dev libstemmer-dev zlib1g-dev libbrotli-dev libxml2-dev \
            libcurl4-openssl-dev libssl-dev libglib2.0-dev libvips-dev libpq-dev \
            python3 python3-cryptography sqlite3 clang-format brotli libvips-tools
BENCH_APT := wrk nginx-light
# the browser tests (tests/browser): Debian's chromium, driven by playwright-core from npm
BROWSER_APT := chromium
# tests/e2e/varnish_tests.py: Debian's Varnish 7.1 and its xkey vmod (docs/varnish.vcl)
VARNISH_APT := varnish varnish-modules

.PHONY: all deps check-deps browser-deps varnish-deps run test test-pg unit e2e browser screenshots asan-test bench \
        format clean fuzz fuzz-replay
all: gazette

# ---- dependencies ---------------------------------------------------------------------------
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
deps:
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(DEPS_APT)

# Installs packages only when something is missing, then re-runs make so the pkg-config
# flags are read again.
check-deps:
	@pkg-config --exists $(PKGS) cmocka && [ -e /usr/include/cmark-gfm-core-extensions.h ] && [ -e /usr/include/libstemmer.h ] \
	  && command -v python3 >/dev/null && command -v brotli >/dev/null && command -v vips >/dev/null \
	  && { python3 -c 'import cryptography' 2>/dev/null || [ -d /usr/lib/python3/dist-packages/cryptography ]; } \
	  || $(MAKE) --no-print-directory deps

# The browser tests need chromium (apt) and tests/browser/node_modules (npm ci, from the
# committed package-lock.json); both are installed only when missing.
browser-deps:
	@[ -x /usr/bin/chromium ] || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(BROWSER_APT); }
	@command -v npm >/dev/null || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nodejs npm; }
	@[ -d tests/browser/node_modules/playwright-core ] || (cd tests/browser && npm ci --no-audit --no-fund)

# Varnish for tests/e2e/varnish_tests.py, installed only when missing; when apt cannot install
# it, the module reports a skip instead.
varnish-deps:
	@{ command -v varnishd >/dev/null || [ -x /usr/sbin/varnishd ]; } && dpkg -s varnish-modules >/dev/null 2>&1 || \
	  { $(SUDO) apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(VARNISH_APT); } || \
	  echo "make: varnish could not be installed; tests/e2e/varnish_tests.py will be skipped"

# ---- build ----------------------------------------------------------------------------------
build/release/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $(RELEASE_CFLAGS) $(CFLAGS) -c $< -o $@
build/asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $(ASAN_CFLAGS) -c $< -o $@

# src/api/openapi.c builds src/api/openapi.json into the binary (.incbin): rebuild it when the
# description changes.
build/release/src/api/openapi.o build/asan/src/api/openapi.o build/fuzz/obj/src/api/openapi.o: \
  src/api/openapi.json

gazette: $(SRCS:%.c=build/release/%.o)
	$(CC) $(RELEASE_CFLAGS) $(LDFLAGS) $^ -o $@ $(LDLIBS)
build/asan/gazette: $(SRCS:%.c=build/asan/%.o)
	$(CC) $(ASAN_CFLAGS) $^ -o $@ $(LDLIBS)

build/release/bin/%: build/release/tests/unit/%.o $(LIB_SRCS:%.c=build/release/%.o)
	@mkdir -p $(dir $@)
	$(CC) $(RELEASE_CFLAGS) $^ -o $@ $(LDLIBS) $(TEST_LDLIBS)
build/asan/bin/%: build/asan/tests/unit/%.o $(LIB_SRCS:%.c=build/asan/%.o)
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_CFLAGS) $^ -o $@ $(LDLIBS) $(TEST_LDLIBS)
build/release/bin/eval_related: build/release/tests/eval/eval_related.o $(LIB_SRCS:%.c=build/release/%.o)
	@mkdir -p $(dir $@)
	$(CC) $(RELEASE_CFLAGS) $^ -o $@ $(LDLIBS)
.PHONY: eval
eval: build/release/bin/eval_related
	build/release/bin/eval_related

# ---- run ------------------------------------------------------------------------------------
run: check-deps
	@$(MAKE) --no-print-directory gazette
	./gazette demo --db demo.db --listen 127.0.0.1:8080

# ---- tests ----------------------------------------------------------------------------------
test: check-deps browser-deps varnish-deps
	@$(MAKE) --no-print-directory gazette build/asan/gazette \
	  $(TESTS:%=build/release/bin/%) $(TESTS:%=build/asan/bin/%)
	@tests/run.sh

unit: gazette $(TESTS:%=build/release/bin/%)
	@TESTS_ONLY=unit tests/run.sh

# only the PostgreSQL runs: the store-touching unit tests and the e2e pg_tests module on a
# throwaway cluster (tests/pg/cluster.sh)
test-pg: check-deps
	@$(MAKE) --no-print-directory gazette $(TESTS:%=build/release/bin/%)
	@TESTS_ONLY=pg tests/run.sh

e2e: varnish-deps gazette
	@TESTS_ONLY=e2e tests/run.sh

browser: browser-deps gazette
	@TESTS_ONLY=browser tests/run.sh

# PNGs of the newsroom's main screens at desktop and phone width, for the README
screenshots: browser-deps gazette
	node tests/browser/run.mjs --gazette ./gazette --screenshots docs/screenshots

bench: gazette
	@command -v wrk >/dev/null && command -v nginx >/dev/null || \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(BENCH_APT)
	bench/article.sh
	bench/render_cpu.sh
	bench/wordpress.sh
	bench/memory.sh
	bench/export.sh
	bench/live.sh
	bench/pg.sh

format:
	clang-format -i $(shell find src tests -name '*.[ch]')

clean:
	rm -rf build gazette

-include $(shell find build -name '*.d' 2>/dev/null)

# ---- fuzzing (tests/fuzz, docs/fuzzing.md) --------------------------------------------------
# `make fuzz` builds each libFuzzer target tests/fuzz/fuzz_NAME.c with clang into
# build/fuzz/fuzz_NAME and runs each for FUZZ_SECONDS on a copy of its seed corpus
# (tests/fuzz/fuzz.sh). `make test` replays every corpus file through the same targets, built
# with $(CC) in the ASan build with a plain driver (tests/fuzz/replay_main.c).
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS ?= 60
FUZZ_APT     := clang libclang-rt-14-dev
FUZZ_CC      ?= clang
FUZZ_CFLAGS  := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
                -fno-sanitize-recover=all
FUZZ_REPLAY  := $(FUZZ_TARGETS:%=build/asan/bin/fuzz_%)
.SECONDARY: $(FUZZ_TARGETS:%=build/fuzz/obj/tests/fuzz/fuzz_%.o) \
            $(FUZZ_TARGETS:%=build/asan/tests/fuzz/fuzz_%.o) build/asan/tests/fuzz/replay_main.o \
            $(LIB_SRCS:%.c=build/fuzz/obj/%.o)

build/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CFLAGS_COMMON) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@
build/fuzz/fuzz_%: build/fuzz/obj/tests/fuzz/fuzz_%.o $(LIB_SRCS:%.c=build/fuzz/obj/%.o)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $^ -o $@ $(LDLIBS)
build/asan/bin/fuzz_%: build/asan/tests/fuzz/fuzz_%.o build/asan/tests/fuzz/replay_main.o \
                       $(LIB_SRCS:%.c=build/asan/%.o)
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_CFLAGS) $^ -o $@ $(LDLIBS)

fuzz: check-deps
	@command -v $(FUZZ_CC) >/dev/null || \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(FUZZ_APT)
	@$(MAKE) --no-print-directory $(FUZZ_TARGETS:%=build/fuzz/fuzz_%)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/fuzz.sh $(FUZZ_TARGETS)

# The replay binaries are built for `make test` and `make unit` (tests/run.sh runs them).
fuzz-replay: check-deps
	@$(MAKE) --no-print-directory $(FUZZ_REPLAY)
test unit: fuzz-replay

# ---- related-stories and search at scale (bench/related.sh) ---------------------------------
build/release/bin/related_bench: build/release/bench/related_bench.o $(LIB_SRCS:%.c=build/release/%.o)
	@mkdir -p $(dir $@)
	$(CC) $(RELEASE_CFLAGS) $^ -o $@ $(LDLIBS)
.PHONY: bench-related
bench-related: build/release/bin/related_bench

# ---- the image pipeline on a 12-megapixel JPEG (bench/media_bench.c) -------------------------
build/release/bin/media_bench: build/release/bench/media_bench.o $(LIB_SRCS:%.c=build/release/%.o)
	@mkdir -p $(dir $@)
	$(CC) $(RELEASE_CFLAGS) $^ -o $@ $(LDLIBS)
.PHONY: bench-media
bench-media: build/release/bin/media_bench
	build/release/bin/media_bench 5

# ---- security probes (tests/security, SECURITY.md) --------------------------------------------
# `make security` runs sqlmap against every endpoint that takes reader input (minutes; installs
# Debian's sqlmap when missing). Not part of `make test`.
.PHONY: security
security: check-deps
	@$(MAKE) --no-print-directory gazette
	tests/security/sqlmap.sh
