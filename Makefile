# hardengen — one non-recursive Makefile.
#
#   make            build ./hardengen (objects in $(BUILD)/, library libhg.a)
#   make test       unit, pattern, golden and integration tests
#   make check      the test suite under ASan + UBSan
#   make fuzz       build the fuzz targets (clang/libFuzzer) and run each FUZZ_TIME s
#   make bench      benchmarks (ratios against peers measured in the same run)
#   make install    PREFIX=/usr/local DESTDIR=
#   make deps       install the Debian packages needed to build and test (and DuckDB from npm)
#   make golden-update   refresh golden files (review the diff!)
#   make man        regenerate doc/hardengen.1 from the commands' help texts, and the
#                   profile reference (doc/hardengen-profile.5, doc/profile-reference.md)
#                   from the schema table

PREFIX   ?= /usr/local
DESTDIR  ?=
BUILD    ?= build
CC       ?= cc
PKGS     := yaml-0.1 lua5.4 libcurl zlib libcrypto libdeflate
# cJSON is not linked into hardengen: unit tests use it as an independent
# JSON reader to judge ours.
TEST_PKGS := libcjson
WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla
ifeq ($(CI),true)
WARN     += -Werror
endif
OPT      ?= -O2 -g
SHAREDIR := $(PREFIX)/share/hardengen
CFLAGS   ?= $(OPT)
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -pthread $(WARN) $(CFLAGS) -Iinclude $(shell pkg-config --cflags $(PKGS)) \
             -DHG_SHAREDIR='"$(SHAREDIR)"'
LDLIBS   := $(shell pkg-config --libs $(PKGS)) -lm -pthread

# The library (libhg.a) is every stage; the command line (src/main.c and
# src/cli_*.c) is linked on top of it and never put in it. Headers: public
# ones in include/hg/, private ones beside their sources in src/.
CLI_SRC  := src/main.c $(wildcard src/cli_*.c)
LIB_SRC  := $(filter-out $(CLI_SRC),$(wildcard src/*.c))
LIB_OBJ  := $(LIB_SRC:src/%.c=$(BUILD)/src/%.o)
CLI_OBJ  := $(CLI_SRC:src/%.c=$(BUILD)/src/%.o)
LIB      := $(BUILD)/libhg.a
TEST_SRC := $(wildcard tests/unit/test_*.c)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC := $(wildcard fuzz/fuzz_*.c)
FUZZ_TIME ?= 30

.PHONY: all test check fuzz bench install deps deps-node golden-update clean man
all: hardengen

# The binary lives at the top of the tree so `./hardengen` works after `make`;
# $(BUILD)/hardengen is the copy a sanitizer build uses.
hardengen: $(BUILD)/hardengen
	cp $< $@

$(BUILD)/hardengen: $(CLI_OBJ) $(LIB)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(LIB): $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

# -MMD -MP: each object (and test program) depends on the headers it
# includes, public or private ($(BUILD)/**/*.d).
$(BUILD)/src/%.o: src/%.c Makefile
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_BIN:=.d)

# The share folder is compiled into resource.o: rebuild it when PREFIX
# changes (`make install PREFIX=/usr` after a plain `make`).
$(BUILD)/sharedir.txt: FORCE
	@mkdir -p $(dir $@)
	@echo '$(SHAREDIR)' | cmp -s - $@ || echo '$(SHAREDIR)' > $@
$(BUILD)/src/resource.o: $(BUILD)/sharedir.txt
.PHONY: FORCE
FORCE:

# Unit tests link the library only (no command-line object).
$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(shell pkg-config --cflags $(TEST_PKGS)) -Itests/unit -MMD -MP -MF $@.d -MT $@ \
	  -o $@ $< $(LIB) $(LDLIBS) $(shell pkg-config --libs $(TEST_PKGS))

test: $(BUILD)/hardengen $(TEST_BIN)
	BUILD=$(BUILD) HG_BIN=$(abspath $(BUILD)/hardengen) tests/run.sh

check:
	$(MAKE) BUILD=build-check CC=clang \
	  OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	  HG_SANITIZED=1 test

fuzz: $(LIB)
	CC=clang BUILD=$(BUILD) FUZZ_TIME=$(FUZZ_TIME) fuzz/run.sh $(FUZZ_SRC)

bench: all
	bench/run.sh

golden-update: all
	HG_GOLDEN_UPDATE=1 HG_BIN=$(abspath hardengen) tests/run.sh golden

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(SHAREDIR)/filters $(DESTDIR)$(SHAREDIR)/templates
	install -m 755 $(BUILD)/hardengen $(DESTDIR)$(PREFIX)/bin/hardengen
	install -m 644 filters/*.lua $(DESTDIR)$(SHAREDIR)/filters/
	if ls templates/* >/dev/null 2>&1; then install -m 644 templates/* $(DESTDIR)$(SHAREDIR)/templates/; fi
	# share/ keeps its subfolders (share/lambda/NAME.py -> $(SHAREDIR)/lambda/NAME.py).
	if [ -d share ]; then (cd share && find . -type f -print) | sort | while read -r f; do \
	  install -D -m 644 "share/$$f" "$(DESTDIR)$(SHAREDIR)/$${f#./}" || exit 1; done; fi
	install -d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions
	install -m 644 doc/hardengen.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 doc/hardengen-profile.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	install -m 644 completion/hardengen.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/hardengen
	install -m 644 completion/_hardengen $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_hardengen

# The manual page of the commands, from their help texts, and the profile
# reference, from the schema table (review the diff).
man: all $(BUILD)/profile-doc
	python3 tools/gen-man.py ./hardengen doc/hardengen.1
	$(BUILD)/profile-doc man >doc/hardengen-profile.5.tmp && mv doc/hardengen-profile.5.tmp doc/hardengen-profile.5
	$(BUILD)/profile-doc md >doc/profile-reference.md.tmp && mv doc/profile-reference.md.tmp doc/profile-reference.md

$(BUILD)/profile-doc: tools/profile-doc.c $(LIB)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB) $(LDLIBS)

DEB_PKGS := build-essential pkg-config clang libclang-rt-dev libyaml-dev libcjson-dev liblua5.4-dev \
            libcurl4-openssl-dev libssl-dev zlib1g-dev libdeflate-dev libdeflate-tools jq gzip hyperfine chromium zsh

# DuckDB for the SQL backtest tests (tests/sh/sql_*.sh), from the npm registry,
# into build/node/ (ignored by git); tools/duckdb-query.cjs finds it there.
DUCKDB_NPM := @duckdb/node-api@1.5.6-r.1

deps:
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(DEB_PKGS)
	$(MAKE) deps-node

deps-node:
	mkdir -p build/node
	npm install --prefix build/node --no-audit --no-fund $(DUCKDB_NPM)

clean:
	rm -rf build build-check build-fuzz hardengen
