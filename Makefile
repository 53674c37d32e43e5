# Gazette — build, test, run. `make` builds ./gazette; `make run` serves the demo site;
# `make test` runs every suite (unit, Mustache spec, end-to-end, and the sanitizer builds).
# Debian packages the build needs are installed by `make deps` (called automatically).

CC      ?= cc
PKGS    := libmicrohttpd jansson sqlite3 libcmark-gfm libsodium libutf8proc
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
            libutf8proc-dev libstemmer-dev \
            python3 sqlite3 clang-format
BENCH_APT := wrk nginx-light

.PHONY: all deps check-deps run test unit e2e asan-test bench format clean
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
	  && command -v python3 >/dev/null || $(MAKE) --no-print-directory deps

# ---- build ----------------------------------------------------------------------------------
build/release/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $(RELEASE_CFLAGS) $(CFLAGS) -c $< -o $@
build/asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $(ASAN_CFLAGS) -c $< -o $@

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
test: check-deps
	@$(MAKE) --no-print-directory gazette build/asan/gazette \
	  $(TESTS:%=build/release/bin/%) $(TESTS:%=build/asan/bin/%)
	@tests/run.sh

unit: gazette $(TESTS:%=build/release/bin/%)
	@TESTS_ONLY=unit tests/run.sh

e2e: gazette
	@TESTS_ONLY=e2e tests/run.sh

bench: gazette
	@command -v wrk >/dev/null && command -v nginx >/dev/null || \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(BENCH_APT)
	bench/article.sh

format:
	clang-format -i $(shell find src tests -name '*.[ch]')

clean:
	rm -rf build gazette

-include $(shell find build -name '*.d' 2>/dev/null)

# ---- related-stories and search at scale (bench/related.sh) ---------------------------------
build/release/bin/related_bench: build/release/bench/related_bench.o $(LIB_SRCS:%.c=build/release/%.o)
	@mkdir -p $(dir $@)
	$(CC) $(RELEASE_CFLAGS) $^ -o $@ $(LDLIBS)
.PHONY: bench-related
bench-related: build/release/bin/related_bench
