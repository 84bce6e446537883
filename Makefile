# seqsent - stacked-LSTM sentiment classification from the command line.
#
#   make            build ./seqsent
#   make check      install deps, build, run every test (unit + CLI)
#   make demo       install deps, build, train/eval/predict on bundled sample data
#   make bench      benchmarks, one JSON object per figure on stdout
#   make install PREFIX=/usr/local

VERSION  := 0.1.0
PREFIX   ?= /usr/local
CC       ?= cc
PKGS     := openblas libcjson libutf8proc
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS   ?= -O2 -g
ALL_CFLAGS = $(CFLAGS) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Isrc $(PKG_CFLAGS) -DSEQSENT_VERSION='"$(VERSION)"'
LDLIBS   += $(PKG_LIBS) -lz -lpthread -lm

# B is the build directory, BIN the binary: the sanitizer build uses its own.
B        ?= build
BIN      ?= seqsent
# src/<layer>/*.c: base text nn model train make the library; cli is the
# command-line layer, linked into the binary only.
LAYERS   := base text nn model train
LIB_SRC  := $(foreach l,$(LAYERS),$(wildcard src/$(l)/*.c))
LIB_OBJ  := $(LIB_SRC:src/%.c=$(B)/%.o)
CLI_SRC  := $(wildcard src/cli/*.c)
CLI_OBJ  := $(CLI_SRC:src/%.c=$(B)/%.o)
HDRS     := $(wildcard src/*/*.h)
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(B)/tests/%)

.PHONY: all deps check check-unit check-sanitize check-valgrind check-man demo bench bench-tokenize fuzz install clean
FUZZ_SECONDS ?= 60

all: $(BIN)

deps:
	@sh scripts/install-deps.sh

$(B)/%.o: src/%.c $(HDRS) | $(B)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B):
	@mkdir -p $(B)/tests $(addprefix $(B)/,$(LAYERS) cli)

# rebuilt from scratch: objects of moved or deleted sources must not linger
$(B)/libseqsent.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BIN): $(CLI_OBJ) $(B)/libseqsent.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(B)/tests/%: tests/%.c $(wildcard tests/*.h) $(B)/libseqsent.a | $(B)
	$(CC) $(ALL_CFLAGS) -Itests -o $@ $< $(B)/libseqsent.a $(LDLIBS)

# The deps are installed first in a separate make so pkg-config sees them.
# check = unit tests + CLI tests + man-page sync, then the same suite under
# AddressSanitizer + UndefinedBehaviorSanitizer.
check:
	@sh scripts/install-deps.sh
	@$(MAKE) --no-print-directory check-unit
	@$(MAKE) --no-print-directory check-sanitize

check-unit: $(BIN) $(TEST_BIN)
	@SEQSENT=$(CURDIR)/$(BIN) sh tests/run.sh $(TEST_BIN)

check-sanitize:
	@$(MAKE) --no-print-directory B=build-san BIN=build-san/seqsent \
	    CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    check-unit

# valgrind on the unit tests and a small train + predict run (slow: not part of check).
check-valgrind: $(BIN) $(TEST_BIN)
	@SEQSENT=$(CURDIR)/$(BIN) sh tests/valgrind.sh $(TEST_BIN)

# libFuzzer harnesses (clang) for the CSV reader, tokenizer, vector loader
# and model loader: FUZZ_SECONDS per harness.
fuzz:
	@SEQSENT_EXTRA_PKGS="clang libclang-rt-14-dev" sh scripts/install-deps.sh
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS)

check-man: $(BIN)
	@sh scripts/check-man.sh ./$(BIN)

demo:
	@sh scripts/install-deps.sh
	@$(MAKE) --no-print-directory seqsent
	@sh scripts/demo.sh

# Benchmarks print one JSON object per figure on stdout (see BENCHMARKS.md).
bench:
	@sh scripts/install-deps.sh >&2
	@$(MAKE) --no-print-directory seqsent >&2
	@sh scripts/bench.sh
	@sh scripts/bench_tokenize.sh

bench-tokenize:
	@sh scripts/install-deps.sh >&2
	@$(MAKE) --no-print-directory seqsent >&2
	@sh scripts/bench_tokenize.sh

install: seqsent
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5
	install -m 755 seqsent $(DESTDIR)$(PREFIX)/bin/seqsent
	install -m 644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 man/*.5 $(DESTDIR)$(PREFIX)/share/man/man5/

clean:
	rm -rf build build-san seqsent
