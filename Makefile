# seqsent - stacked-LSTM sentiment classification from the command line.
#
#   make            build ./seqsent
#   make check      install deps, build, run every test (unit + CLI)
#   make demo       install deps, build, train/eval/predict on bundled sample data
#   make bench      benchmarks, one JSON object per figure on stdout
#   make bench-predict  the predict part alone (against a reference build)
#   make bench-serve  seqsent serve: requests/s and latency over loopback (same format)
#   make lib        libseqsent.a, libseqsent.so and seqsent.pc (the C API: include/seqsent.h)
#   make install PREFIX=/usr/local   (binary, man pages, library + header + seqsent.pc,
#                   completion, the Python module; PYTHONDIR= overrides its place)

VERSION  := 0.1.0
# the shared library's soname is libseqsent.so.$(SOVERSION)
SOVERSION := $(word 1,$(subst ., ,$(VERSION)))
PREFIX   ?= /usr/local
CC       ?= cc
PKGS     := libcjson libutf8proc
PKG_CFLAGS := $(shell pkg-config --cflags openblas $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS   ?= -O2 -g
ALL_CFLAGS = $(CFLAGS) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Isrc -Iinclude $(PKG_CFLAGS) -DSEQSENT_VERSION='"$(VERSION)"'
LDLIBS   += $(PKG_LIBS) -lz -lpthread -lm
# OpenBLAS and the optional libraries (OpenCC, libmicrohttpd, MPI) are not linked but opened
# by the code that needs them, when it runs (src/base/dynlib.h: each linked
# library costs every start of every command).  Their headers are found with
# pkg-config; the build records the soname and the file it saw:
# dyn_file LIB DIR: the file behind libLIB.so in DIR (else the compiler's).
dyn_file = $(realpath $(firstword $(wildcard $(2)/lib$(1).so) $(shell $(CC) -print-file-name=lib$(1).so)))
# dyn_defs NAME FILE: -DSEQSENT_NAME_SONAME="..." -DSEQSENT_NAME_PATH="..."
dyn_defs = -DSEQSENT_$(1)_SONAME='"$(shell objdump -p $(2) 2>/dev/null | awk '/SONAME/ { print $$2 }')"' \
           -DSEQSENT_$(1)_PATH='"$(2)"'
# `seqsent serve` is built on libmicrohttpd when pkg-config finds it
# (scripts/install-deps.sh installs it); MHD=no builds without it, and the
# command then says how to get it.  Only the binary uses it, not the library.
MHD      ?= $(shell pkg-config --exists libmicrohttpd 2>/dev/null && echo yes)
ifeq ($(MHD),yes)
MHD_CFLAGS := -DSEQSENT_HAVE_MHD $(shell pkg-config --cflags libmicrohttpd) \
              $(call dyn_defs,MHD,$(call dyn_file,microhttpd,$(shell pkg-config --variable=libdir libmicrohttpd)))
endif
# OpenBLAS (every fp32 matrix product, src/base/tensor.c): required, opened
# at the first product.
BLAS_CFLAGS := $(call dyn_defs,BLAS,$(call dyn_file,openblas,$(shell pkg-config --variable=libdir openblas)))
# --t2s (traditional -> simplified Chinese) is built on OpenCC when
# pkg-config finds it (scripts/install-deps.sh installs libopencc-dev);
# OPENCC=no builds without it, and --t2s then says how to get it.  The
# library uses it (the tokenizer converts), opened on the first conversion.
OPENCC   ?= $(shell pkg-config --exists opencc 2>/dev/null && echo yes)
ifeq ($(OPENCC),yes)
OPENCC_CFLAGS := -DSEQSENT_HAVE_OPENCC $(shell pkg-config --cflags opencc) \
                 $(call dyn_defs,OPENCC,$(call dyn_file,opencc,$(shell pkg-config --variable=libdir opencc)))
endif
# Data-parallel training over MPI (train/dist.h) when pkg-config finds Open
# MPI (ompi-c; scripts/install-deps.sh installs it), or with MPI=1 (then
# mpicc --showme gives the flags if pkg-config does not); MPI=no builds
# without.  src/train/dist.c is compiled a second time with MPI into
# $(B)/mpi/dist.o, linked into the binary ahead of the library, whose own
# dist.o (one process) it replaces: the library never depends on MPI, and
# the binary opens libmpi only when a launcher starts it.
MPI      ?= $(shell pkg-config --exists ompi-c 2>/dev/null && echo 1)
ifeq ($(MPI),1)
MPI_LIBDIR := $(shell pkg-config --variable=libdir ompi-c 2>/dev/null || mpicc --showme:libdirs)
MPI_CFLAGS := -DSEQSENT_HAVE_MPI $(shell pkg-config --cflags ompi-c 2>/dev/null || mpicc --showme:compile) \
              $(call dyn_defs,MPI,$(call dyn_file,mpi,$(firstword $(MPI_LIBDIR))))
MPI_OBJ     = $(B)/mpi/dist.o
endif

# B is the build directory, BIN the binary: the sanitizer build uses its own.
B        ?= build
BIN      ?= seqsent
# src/<layer>/*.c: base text nn model train api make the library (api: the
# public C API, include/seqsent.h); cli is the command-line layer, linked
# into the binary only.
LAYERS   := base text nn model train api
LIB_SRC  := $(foreach l,$(LAYERS),$(wildcard src/$(l)/*.c))
LIB_OBJ  := $(LIB_SRC:src/%.c=$(B)/%.o)
# the shared library's objects: the same sources with -fPIC, in $(B)/pic
PIC_OBJ  := $(LIB_SRC:src/%.c=$(B)/pic/%.o)
SO_NAME  := libseqsent.so.$(SOVERSION)
SO_FILE  := libseqsent.so.$(VERSION)
LIBS_OUT := $(B)/libseqsent.a $(B)/$(SO_FILE) $(B)/$(SO_NAME) $(B)/libseqsent.so $(B)/seqsent.pc
CLI_SRC  := $(wildcard src/cli/*.c)
CLI_OBJ  := $(CLI_SRC:src/%.c=$(B)/%.o)
HDRS     := $(wildcard src/*/*.h) include/seqsent.h
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(B)/tests/%)
# the libFuzzer harnesses built with a plain main that replays files
# (tests/fuzz/replay.c), for tests/cli_fuzz_replay.sh
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_REPLAY := $(FUZZ_SRC:tests/fuzz/fuzz_%.c=$(B)/tests/replay_%)

.PHONY: all lib FORCE deps check check-unit check-sanitize check-valgrind check-man demo bench bench-predict bench-tokenize bench-serve fuzz install clean
FUZZ_SECONDS ?= 60

all: $(BIN)

deps:
	@sh scripts/install-deps.sh

# quant.c's kernels give the same bits when each product and sum is rounded
# on its own: no fused multiply-add from -march flags (src/base/quant.c)
$(B)/base/quant.o $(B)/pic/base/quant.o: ALL_CFLAGS += -ffp-contract=off

$(B)/%.o: src/%.c $(HDRS) | $(B)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/pic/%.o: src/%.c $(HDRS) | $(B)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fPIC -c -o $@ $<

$(B):
	@mkdir -p $(B)/tests $(addprefix $(B)/,$(LAYERS) cli) $(addprefix $(B)/pic/,$(LAYERS))

lib: $(LIBS_OUT)

# The shared library exports the public API only (src/api/seqsent.map).
$(B)/$(SO_FILE): $(PIC_OBJ) src/api/seqsent.map
	$(CC) $(ALL_CFLAGS) -shared -Wl,-soname,$(SO_NAME) -Wl,--version-script=src/api/seqsent.map \
	    -o $@ $(PIC_OBJ) $(LDLIBS)

$(B)/$(SO_NAME) $(B)/libseqsent.so: $(B)/$(SO_FILE)
	ln -sf $(SO_FILE) $@

# pkg-config file for PREFIX; rewritten only when its text changes.
$(B)/seqsent.pc: FORCE | $(B)
	@printf '%s\n' 'prefix=$(PREFIX)' 'exec_prefix=$${prefix}' 'libdir=$${prefix}/lib' \
	    'includedir=$${prefix}/include' '' 'Name: seqsent' \
	    'Description: stacked-LSTM sentiment classification (C API: seqsent.h)' \
	    'Version: $(VERSION)' 'Requires.private: $(PKGS)' 'Cflags: -I$${includedir}' \
	    'Libs: -L$${libdir} -lseqsent' 'Libs.private: -lz -lpthread -lm' >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

# rebuilt from scratch: objects of moved or deleted sources must not linger
$(B)/libseqsent.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BIN): $(CLI_OBJ) $(MPI_OBJ) $(B)/libseqsent.a $(B)/mpi.flags
	$(CC) $(ALL_CFLAGS) -o $@ $(CLI_OBJ) $(MPI_OBJ) $(B)/libseqsent.a $(LDLIBS)

$(B)/mpi/dist.o: src/train/dist.c $(HDRS) | $(B)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(MPI_CFLAGS) -c -o $@ $<

# the binary is relinked when MPI comes or goes (mpi.flags records it)
$(B)/mpi.flags: FORCE | $(B)
	@echo '$(MPI_CFLAGS)' >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

$(B)/base/tensor.o $(B)/pic/base/tensor.o: ALL_CFLAGS += $(BLAS_CFLAGS)

# serve.o is rebuilt when libmicrohttpd comes or goes (mhd.flags records it).
$(B)/cli/serve.o: ALL_CFLAGS += $(MHD_CFLAGS)
$(B)/cli/serve.o: $(B)/mhd.flags
$(B)/mhd.flags: FORCE | $(B)
	@echo '$(MHD_CFLAGS)' >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

# likewise t2s.o when OpenCC comes or goes (opencc.flags)
$(B)/text/t2s.o $(B)/pic/text/t2s.o: ALL_CFLAGS += $(OPENCC_CFLAGS)
$(B)/text/t2s.o $(B)/pic/text/t2s.o: $(B)/opencc.flags
$(B)/opencc.flags: FORCE | $(B)
	@echo '$(OPENCC_CFLAGS)' >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

$(B)/tests/%: tests/%.c $(wildcard tests/*.h) $(B)/libseqsent.a | $(B)
	$(CC) $(ALL_CFLAGS) -Itests -o $@ $< $(B)/libseqsent.a $(LDLIBS)

# fuzz_csv.c cuts reads into pieces, fuzz_model.c maps files onto the heap
# (as tests/fuzz/run.sh links them)
FUZZ_WRAP_csv := -Wl,--wrap=read
FUZZ_WRAP_model := -Wl,--wrap=mmap,--wrap=munmap
$(B)/tests/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c tests/fuzz/fuzz_common.h tests/testfiles.h $(B)/libseqsent.a | $(B)
	$(CC) $(ALL_CFLAGS) -Itests -Itests/fuzz -o $@ $< tests/fuzz/replay.c $(B)/libseqsent.a $(FUZZ_WRAP_$*) $(LDLIBS)

# The deps are installed first in a separate make so pkg-config sees them.
# check = unit tests + CLI tests + man-page sync, then the same suite under
# AddressSanitizer + UndefinedBehaviorSanitizer.
# The builds of check run CHECK_JOBS compilers at a time (the CI machine
# has 2 cores; built one by one they were a minute and a half of the run).
CHECK_JOBS ?= 2
check:
	@sh scripts/install-deps.sh
	@$(MAKE) --no-print-directory -j$(CHECK_JOBS) check-unit
	@$(MAKE) --no-print-directory -j$(CHECK_JOBS) check-sanitize

# The library tests (tests/cli_python.sh, tests/cli_library.sh) find the
# shared library, the build directory and the compiler in the environment.
check-unit: $(BIN) $(TEST_BIN) $(FUZZ_REPLAY) $(LIBS_OUT)
	@SEQSENT=$(CURDIR)/$(BIN) SEQSENT_LIB=$(CURDIR)/$(B)/libseqsent.so SEQSENT_BUILD=$(B) \
	    SEQSENT_CC="$(CC) $(CFLAGS)" sh tests/run.sh $(TEST_BIN)

check-sanitize:
	@SEQSENT_QUICK=1 $(MAKE) --no-print-directory B=build-san BIN=build-san/seqsent \
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
	@sh scripts/bench_predict.sh

# predict speed against a reference build (BENCH_REF, default the commit
# before the inference work), the predict part of make bench alone
bench-predict:
	@sh scripts/install-deps.sh >&2
	@$(MAKE) --no-print-directory seqsent >&2
	@sh scripts/bench_predict.sh

bench-tokenize:
	@sh scripts/install-deps.sh >&2
	@$(MAKE) --no-print-directory seqsent >&2
	@sh scripts/bench_tokenize.sh

bench-serve:
	@sh scripts/install-deps.sh >&2
	@$(MAKE) --no-print-directory seqsent >&2
	@sh scripts/bench_serve.sh

# the Python module goes where Debian's /usr/bin/python3 looks: under /usr
# in lib/python3/dist-packages, elsewhere (/usr/local) in lib/python3.X/dist-packages
PY_MINOR := $(shell python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || echo 3)
PYTHONDIR ?= $(if $(filter /usr,$(PREFIX)),$(PREFIX)/lib/python3/dist-packages,$(PREFIX)/lib/python$(PY_MINOR)/dist-packages)

install: $(BIN) $(LIBS_OUT)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man3 $(DESTDIR)$(PREFIX)/share/man/man5
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/seqsent
	install -m 644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 man/*.3 $(DESTDIR)$(PREFIX)/share/man/man3/
	install -m 644 man/*.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 include/seqsent.h $(DESTDIR)$(PREFIX)/include/seqsent.h
	install -m 644 $(B)/libseqsent.a $(DESTDIR)$(PREFIX)/lib/libseqsent.a
	install -m 755 $(B)/$(SO_FILE) $(DESTDIR)$(PREFIX)/lib/$(SO_FILE)
	ln -sf $(SO_FILE) $(DESTDIR)$(PREFIX)/lib/$(SO_NAME)
	ln -sf $(SO_FILE) $(DESTDIR)$(PREFIX)/lib/libseqsent.so
	install -m 644 $(B)/seqsent.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/seqsent.pc
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions
	install -m 644 scripts/completion/seqsent.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/seqsent
	install -m 644 scripts/completion/_seqsent $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_seqsent
	install -d $(DESTDIR)$(PYTHONDIR)/seqsent
	install -m 644 python/seqsent/__init__.py $(DESTDIR)$(PYTHONDIR)/seqsent/__init__.py
	printf '# written by make install: the library this module was installed with\nLIBRARY = "%s"\n' \
	    '$(PREFIX)/lib/$(SO_NAME)' >$(DESTDIR)$(PYTHONDIR)/seqsent/_installed.py

clean:
	rm -rf build build-san seqsent
