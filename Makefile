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
CFLAGS   += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Iinclude $(PKG_CFLAGS) -DSEQSENT_VERSION='"$(VERSION)"'
LDLIBS   += $(PKG_LIBS) -lz -lpthread -lm

LIB_SRC  := $(filter-out src/main.c,$(wildcard src/*.c))
LIB_OBJ  := $(LIB_SRC:src/%.c=build/%.o)
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=build/tests/%)

.PHONY: all deps check demo bench install clean

all: seqsent

deps:
	@sh scripts/install-deps.sh

build/%.o: src/%.c $(wildcard include/*.h) | build
	$(CC) $(CFLAGS) -c -o $@ $<

build:
	@mkdir -p build/tests

build/libseqsent.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

seqsent: build/main.o build/libseqsent.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

build/tests/%: tests/%.c tests/test.h build/libseqsent.a | build
	$(CC) $(CFLAGS) -Itests -o $@ $< build/libseqsent.a $(LDLIBS)

# The deps are installed first in a separate make so pkg-config sees them.
check:
	@sh scripts/install-deps.sh
	@$(MAKE) --no-print-directory seqsent $(TEST_BIN)
	@sh tests/run.sh $(TEST_BIN)

demo:
	@sh scripts/install-deps.sh
	@$(MAKE) --no-print-directory seqsent
	@sh scripts/demo.sh

bench:
	@sh scripts/install-deps.sh
	@$(MAKE) --no-print-directory seqsent
	@sh scripts/bench.sh

install: seqsent
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5
	install -m 755 seqsent $(DESTDIR)$(PREFIX)/bin/seqsent
	install -m 644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 man/*.5 $(DESTDIR)$(PREFIX)/share/man/man5/

clean:
	rm -rf build seqsent
