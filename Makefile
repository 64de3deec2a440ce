# grym - terminal audio intelligence sampler.
#
#   make            build ./grym (release, build/rel)
#   make check      install missing Debian packages, build from scratch, run
#                   every test, then again under ASan+UBSan; ends with
#                   "N passed, N failed"
#   make demo       analyse the bundled samples
#   make bench      speed/memory/accuracy figures (reads ../shared/bench if present)
#   make accuracy   tempo/key accuracy on ../shared/bench (if present)
#   make fuzz       build every tests/fuzz/fuzz_*.c with clang and libFuzzer
#                   (+ASan/UBSan) into build/fuzz and run each FUZZ_SECONDS
#                   (default 60) seconds; crashes land in build/fuzz/artifacts
#   make valgrind   unit tests and CLI runs under valgrind memcheck: grym's
#                   own leaks and memory errors fail (tests/valgrind.sh)
#   make install    PREFIX=/usr/local DESTDIR=
#   V=1             show commands; WERROR=1 adds -Werror (CI)

VERSION := 0.1.0
PREFIX ?= /usr/local
DESTDIR ?=
BUILD ?= build/rel
SAN ?= 0

PKGS := sndfile fftw3f samplerate sqlite3 portaudio-2.0 yaml-0.1 ncursesw libebur128 \
        libxxhash jansson libavformat libavcodec libavutil libswresample libchromaprint
TEST_PKGS := cmocka

CC ?= cc
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
TEST_CFLAGS := $(shell pkg-config --cflags $(TEST_PKGS) 2>/dev/null)
TEST_LIBS := $(shell pkg-config --libs $(TEST_PKGS) 2>/dev/null)

WARN := -Wall -Wextra -Wmissing-prototypes -Wstrict-prototypes -Wshadow \
        -Wwrite-strings -Wformat=2 -Wno-unused-parameter -Wno-format-truncation
ifeq ($(WERROR),1)
WARN += -Werror
endif
OPT := -O2 -g
ifeq ($(SAN),1)
OPT := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
       -fno-sanitize-recover=undefined
endif
# FUZZ=1 (set by `make fuzz`, with CC=clang): the project sources with
# libFuzzer's coverage hooks and the sanitizers; targets link -fsanitize=fuzzer.
ifeq ($(FUZZ),1)
OPT := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
       -fno-sanitize-recover=undefined
WARN += -Wno-unknown-warning-option -Wno-format-nonliteral
endif
CPPFLAGS += -Iinclude -D_GNU_SOURCE -DGRYM_VERSION='"$(VERSION)"' \
            -DGRYM_DATADIR='"$(PREFIX)/share/grym"'
CFLAGS += -std=c11 $(OPT) $(WARN) -MMD -MP $(PKG_CFLAGS)
LDFLAGS += $(filter -fsanitize%,$(OPT))
LDLIBS := $(PKG_LIBS) -lm -lpthread

ifeq ($(V),1)
Q :=
else
Q := @
endif

SRCS := $(filter-out src/main.c,$(shell find src -name '*.c' | sort))
OBJS := $(SRCS:%.c=$(BUILD)/%.o)
LIB := $(BUILD)/libgrym.a
SUPPORT_SRCS := $(wildcard tests/support/*.c)
SUPPORT_OBJS := $(SUPPORT_SRCS:%.c=$(BUILD)/%.o)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRCS := $(wildcard tests/tools/*.c)
TOOL_BINS := $(TOOL_SRCS:tests/tools/%.c=$(BUILD)/tools/%)
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/%)
FUZZ_SECONDS ?= 60

.PHONY: all check test test-build san clean demo bench accuracy install deps fuzz fuzz-build \
        valgrind samples

all: grym

grym: $(BUILD)/grym
	$(Q)cp $< $@

$(BUILD)/grym: $(BUILD)/src/main.o $(LIB)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(LIB): $(OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

# The install prefix is compiled into theme.c (where installed themes are):
# a stamp holding PREFIX rebuilds it when PREFIX changes.
$(BUILD)/.prefix: FORCE
	@mkdir -p $(BUILD)
	@echo '$(PREFIX)' | cmp -s - $@ || echo '$(PREFIX)' >$@
$(BUILD)/src/tui/theme.o: $(BUILD)/.prefix
.PHONY: FORCE
FORCE:

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(TEST_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(SUPPORT_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	$(Q)$(CC) $(CPPFLAGS) -Itests/support $(CFLAGS) $(TEST_CFLAGS) $(LDFLAGS) -o $@ $< \
		$(SUPPORT_OBJS) $(LIB) $(TEST_LIBS) $(LDLIBS)

$(BUILD)/tools/%: tests/tools/%.c $(SUPPORT_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	@echo "  TOOL    $@"
	$(Q)$(CC) $(CPPFLAGS) -Itests/support $(CFLAGS) $(LDFLAGS) -o $@ $< \
		$(SUPPORT_OBJS) $(LIB) $(LDLIBS)

# libFuzzer targets: one binary per tests/fuzz/fuzz_*.c, linked against the
# project sources built with FUZZ=1 (only in build/fuzz).
$(BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(LIB)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< \
		$(LIB) $(LDLIBS)

fuzz-build: $(FUZZ_BINS)

# Build the fuzz targets (clang) and run each FUZZ_SECONDS seconds.
fuzz:
	$(Q)$(MAKE) --no-print-directory BUILD=build/fuzz CC=clang FUZZ=1 fuzz-build
	$(Q)tests/fuzz/run.sh build/fuzz $(FUZZ_SECONDS)

# Unit tests and CLI runs under valgrind memcheck (release build).
valgrind:
	$(Q)$(MAKE) --no-print-directory BUILD=build/rel test-build
	$(Q)tests/valgrind.sh build/rel

# Everything the tests need, in one build directory.
test-build: $(BUILD)/grym $(UNIT_BINS) $(TOOL_BINS)

# Run the tests of one build directory (used twice by check).
test: test-build
	$(Q)tests/run.sh $(BUILD)

deps:
	$(Q)scripts/deps.sh

# From scratch: release build and tests, then ASan+UBSan build and tests.
check: deps
	$(Q)rm -rf build/rel build/san tests/.results
	$(Q)$(MAKE) --no-print-directory BUILD=build/rel test-build
	$(Q)$(MAKE) --no-print-directory BUILD=build/rel grym
	$(Q)$(MAKE) --no-print-directory BUILD=build/san SAN=1 test-build
	$(Q)tests/check.sh build/rel build/san

san:
	$(Q)$(MAKE) --no-print-directory BUILD=build/san SAN=1 test-build

samples: grym
	$(Q)scripts/make-samples.sh

demo: deps
	$(Q)$(MAKE) --no-print-directory grym
	$(Q)scripts/demo.sh

bench: grym
	$(Q)bench/run.sh

accuracy: grym
	$(Q)bench/accuracy.sh

install: grym
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/grym/themes $(DESTDIR)$(PREFIX)/share/grym/config
	install -m 755 grym $(DESTDIR)$(PREFIX)/bin/grym
	install -m 644 man/grym.1 $(DESTDIR)$(PREFIX)/share/man/man1/grym.1
	install -m 644 config/grym.yaml $(DESTDIR)$(PREFIX)/share/grym/config/grym.yaml
	for t in themes/*.yaml; do [ -e "$$t" ] && install -m 644 "$$t" \
		$(DESTDIR)$(PREFIX)/share/grym/themes/ || true; done

clean:
	rm -rf build grym tests/.results

-include $(OBJS:.o=.d) $(BUILD)/src/main.d $(SUPPORT_OBJS:.o=.d)
.SECONDARY:
