# hostctx - GNU make build.  `make`, `make check`, `make demo`, `make bench`,
# `make install PREFIX=/usr/local DESTDIR=`.
#
# Knobs: CC=clang, BUILD=dir (default build), SANITIZE=1 (ASan+UBSan),
# SECCOMP=0 (never use libseccomp), LIBXML=0 (never use libxml2),
# VALGRIND=1 (end-to-end tests under valgrind), V=1 (echo commands).

BUILD     ?= build
PREFIX    ?= /usr/local
DESTDIR   ?=
SANITIZE  ?= 0
SECCOMP   ?= auto
LIBXML    ?= auto
PKG_CONFIG ?= pkg-config

VERSION := $(shell sed -n 's/^\#define HOSTCTX_VERSION "\(.*\)"/\1/p' include/hostctx.h)

CC ?= cc
ifeq ($(origin CC),default)
CC := cc
endif

WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wmissing-prototypes \
        -Wstrict-prototypes -Wvla -Wno-unused-parameter -Wswitch-enum
CSTD := -std=gnu11
OPT  ?= -O2 -g
CPPFLAGS += -Iinclude -D_GNU_SOURCE
CFLAGS   += $(CSTD) $(OPT) $(WARN) -fPIC -fno-strict-aliasing \
            -fstack-protector-strong -D_FORTIFY_SOURCE=2

ifeq ($(SANITIZE),1)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
# _FORTIFY_SOURCE and ASan disagree about some builtins
CFLAGS  += -U_FORTIFY_SOURCE
endif

# Dependencies by pkg-config, evaluated lazily so that `make check` can
# install them first.
DEP_CFLAGS = $(shell $(PKG_CONFIG) --cflags zlib libcjson 2>/dev/null)
DEP_LIBS   = $(shell $(PKG_CONFIG) --libs zlib libcjson 2>/dev/null)
CMOCKA_CFLAGS = $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   = $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)
ifeq ($(SECCOMP),0)
HAVE_SECCOMP = 0
else
HAVE_SECCOMP = $(shell $(PKG_CONFIG) --exists libseccomp 2>/dev/null && echo 1 || echo 0)
endif
SECCOMP_CFLAGS = $(if $(filter 1,$(HAVE_SECCOMP)),-DHAVE_SECCOMP=1 $(shell $(PKG_CONFIG) --cflags libseccomp),)
SECCOMP_LIBS   = $(if $(filter 1,$(HAVE_SECCOMP)),$(shell $(PKG_CONFIG) --libs libseccomp),)
# libxml2: `hostctx junit` (cli/junit_xml.c); without it the subcommand
# says so and exits 2.
ifeq ($(LIBXML),0)
HAVE_LIBXML = 0
else
HAVE_LIBXML = $(shell $(PKG_CONFIG) --exists libxml-2.0 2>/dev/null && echo 1 || echo 0)
endif
LIBXML_CFLAGS = $(if $(filter 1,$(HAVE_LIBXML)),-DHAVE_LIBXML=1 $(shell $(PKG_CONFIG) --cflags libxml-2.0),)
LIBXML_LIBS   = $(if $(filter 1,$(HAVE_LIBXML)),$(shell $(PKG_CONFIG) --libs libxml-2.0),)

ifneq ($(V),1)
Q := @
endif

# The preload library is preload/*.c linked with the library's sources
# but the JSON reader and the schema writer (which need cJSON).
PRELOAD_CORE_SRC := $(filter-out lib/json_read.c lib/schema.c,$(sort $(wildcard lib/*.c)))
LIB_SRC     := $(sort $(wildcard lib/*.c))
CLI_SRC     := $(sort $(wildcard cli/*.c))
WRAPPER_SRC := $(sort $(wildcard wrapper/*.c))
PRELOAD_SRC := $(sort $(wildcard preload/*.c))
UNIT_SRC    := $(sort $(wildcard tests/unit/test_*.c))
HELPER_SRC  := $(sort $(wildcard tests/helpers/*.c))

OBJ := $(BUILD)/obj
LIB_OBJ     := $(LIB_SRC:%.c=$(OBJ)/%.o)
CLI_OBJ     := $(CLI_SRC:%.c=$(OBJ)/%.o)
WRAPPER_OBJ := $(WRAPPER_SRC:%.c=$(OBJ)/%.o)
PRELOAD_OBJ := $(PRELOAD_SRC:%.c=$(OBJ)/%.o) \
               $(PRELOAD_CORE_SRC:%.c=$(OBJ)/preload-core/%.o)

LIBSO   := $(BUILD)/lib/libhostctx.so
LIBA    := $(BUILD)/lib/libhostctx.a
PRELOAD := $(BUILD)/lib/libhostctx-preload.so
HOSTCTX := $(BUILD)/bin/hostctx
RUNNER  := $(BUILD)/bin/hostctx-run
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
HELPER_BIN := $(HELPER_SRC:tests/helpers/%.c=$(BUILD)/tests/helpers/%)

DEPSTAMP := $(BUILD)/.deps-ok

.PHONY: all lib programs check check-unit check-e2e demo bench install \
        uninstall clean deps install-deps tests fuzz schema
.DEFAULT_GOAL := all

all: $(LIBSO) $(LIBA) $(PRELOAD) $(HOSTCTX) $(RUNNER) $(BUILD)/hostctx.pc

# One clear line when a required library is missing.
$(DEPSTAMP):
	$(Q)command -v $(PKG_CONFIG) >/dev/null 2>&1 || { echo "hostctx: missing build dependency: pkg-config (Debian: apt-get install pkg-config zlib1g-dev libcjson-dev; or run scripts/install-deps)" >&2; exit 1; }
	$(Q)for p in zlib libcjson; do $(PKG_CONFIG) --exists $$p || { case $$p in zlib) d=zlib1g-dev;; libcjson) d=libcjson-dev;; esac; echo "hostctx: missing build dependency: $$p (Debian: apt-get install $$d; or run scripts/install-deps)" >&2; exit 1; }; done
	$(Q)mkdir -p $(@D) && touch $@

$(OBJ)/%.o: %.c $(DEPSTAMP)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(DEP_CFLAGS) $(EXTRA_CFLAGS) -MMD -MP -c -o $@ $<

# libseccomp is the hostctx command's alone (cli/sandbox.c): never the
# library's, the wrapper's or the preload's, whose commands would inherit
# a filter.  So is libxml2.
$(CLI_OBJ): EXTRA_CFLAGS = $(SECCOMP_CFLAGS) $(LIBXML_CFLAGS)
# The library hides everything but the names marked HCTX_EXPORT.
$(LIB_OBJ): CFLAGS += -fvisibility=hidden

$(LIBSO): $(LIB_OBJ) lib/libhostctx.sym
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) -shared -Wl,-soname,libhostctx.so.0 -Wl,-z,defs \
	    -Wl,--version-script=lib/libhostctx.sym -o $@ $(LIB_OBJ) $(LDFLAGS) $(DEP_LIBS)
	$(Q)ln -sf libhostctx.so $(@D)/libhostctx.so.0

$(LIBA): $(LIB_OBJ)
	@mkdir -p $(@D)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

# The programs link the library statically: no LD_LIBRARY_PATH, one less
# shared object to map on every run.  hostctx-run only writes JSON, so with
# --as-needed it does not load libcjson at all (~35 µs per run).
$(HOSTCTX): $(CLI_OBJ) $(LIBA)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) -o $@ $(CLI_OBJ) $(LIBA) $(LDFLAGS) $(DEP_LIBS) $(SECCOMP_LIBS) $(LIBXML_LIBS)

# hostctx-run is linked statically when the static libraries are there
# (Debian: libc6-dev, zlib1g-dev) and no sanitizer is on: without the
# dynamic loader a run costs ~0.3 ms less (docs/design.md, "Costs"; `make bench`).
# Debian's libz.a is not PIC, so the static binary is not PIE either.
# STATIC=0 links it dynamically.  A dynamic twin is built for the tests
# that inject failures with LD_PRELOAD (same name: the preload library
# recognises hostctx-run by it).
STATIC ?= auto
ifeq ($(SANITIZE),1)
STATIC := 0
endif
STATIC_OK = $(and $(filter-out 0,$(STATIC)),$(wildcard $(shell $(CC) -print-file-name=libz.a)),$(wildcard $(shell $(CC) -print-file-name=libc.a)))
RUNNER_DYN := $(BUILD)/tests/dynamic/hostctx-run

$(RUNNER): $(WRAPPER_OBJ) $(LIBA)
	@mkdir -p $(@D)
	@echo "  LD      $@$(if $(STATIC_OK), (static))"
	$(Q)$(CC) -o $@ $(WRAPPER_OBJ) $(LIBA) $(LDFLAGS) $(if $(STATIC_OK),-static) -Wl,--as-needed $(shell $(PKG_CONFIG) --libs zlib 2>/dev/null)

$(RUNNER_DYN): $(WRAPPER_OBJ) $(LIBA)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) -o $@ $(WRAPPER_OBJ) $(LIBA) $(LDFLAGS) -Wl,--as-needed $(shell $(PKG_CONFIG) --libs zlib 2>/dev/null)

# The preload library: the glue in preload/ plus the library's sources
# it records with, compiled again without sanitizers (ASan would have to
# come first in LD_PRELOAD) and all hidden.  Its only NEEDED entry is
# libc: zlib is dlopen()ed by the recorded process alone, libhostctx.so
# (beside it) only to resume a record after exec.  libgcc is static.
# Sections of their own, so that the link keeps only what the preload
# reaches (no diff, report, export, metrics): less to map and relocate
# in every process it is preloaded into (docs/design.md, "Cost").
PRELOAD_CFLAGS := $(CSTD) $(OPT) $(WARN) -fPIC -fvisibility=hidden -fno-strict-aliasing \
		  -ffunction-sections -fdata-sections
$(PRELOAD_OBJ): CFLAGS := $(PRELOAD_CFLAGS)
$(PRELOAD_OBJ): LDFLAGS :=
$(OBJ)/preload-core/%.o: %.c $(DEPSTAMP)
	@mkdir -p $(@D)
	@echo "  CC      $< (preload)"
	$(Q)$(CC) $(CPPFLAGS) $(PRELOAD_CFLAGS) $(DEP_CFLAGS) -MMD -MP -c -o $@ $<

$(PRELOAD): $(PRELOAD_OBJ) $(wildcard preload/*.map) $(LIBSO)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) -shared -nodefaultlibs -Wl,-z,defs -Wl,--as-needed -Wl,--gc-sections \
	    $(if $(wildcard preload/preload.map),-Xlinker --version-script=preload/preload.map) \
	    -o $@ $(PRELOAD_OBJ) -lc -lgcc

# hostctx.pc names the PREFIX it is installed for: `make install` writes
# it again from hostctx.pc.in, so `make; make install PREFIX=/opt/x` is
# right whatever PREFIX `make` saw.
PC_SED = sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' -e 's|@VERSION@|$(VERSION)|g' hostctx.pc.in
$(BUILD)/hostctx.pc: hostctx.pc.in include/hostctx.h
	@mkdir -p $(@D)
	$(Q)$(PC_SED) > $@

# ---- tests -----------------------------------------------------------

$(BUILD)/tests/%: tests/unit/%.c $(LIBA) $(wildcard tests/unit/*.h)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(CPPFLAGS) -Ilib $(CFLAGS) $(UNIT_CFLAGS_$*) $(DEP_CFLAGS) $(CMOCKA_CFLAGS) -o $@ $< $(LIBA) $(LDFLAGS) $(DEP_LIBS) $(CMOCKA_LIBS)

# The snapshot's JSON Schema, made from the field table (lib/schema.c):
# test_schema checks the file is current, `make schema` writes it.
SCHEMA_SNAPSHOT := docs/schema/hostctx-snapshot-1.schema.json
UNIT_CFLAGS_test_schema := -DSCHEMA_FILE='"$(abspath $(SCHEMA_SNAPSHOT))"'
schema: $(BUILD)/tests/test_schema
	$(Q)$(BUILD)/tests/test_schema --write $(SCHEMA_SNAPSHOT)
	@echo "  GEN     $(SCHEMA_SNAPSHOT)"

# Small C programs the end-to-end tests run; built without sanitizers.
$(BUILD)/tests/helpers/%: tests/helpers/%.c
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(CPPFLAGS) $(CSTD) -O1 -g -Wall -Wextra -Werror -pthread -o $@ $< $(HELPER_FLAGS_$*)

# Helpers that need special linking say so here.
HELPER_FLAGS_inject_write := -shared -fPIC -ldl
HELPER_FLAGS_pre_static := -static
HELPER_FLAGS_pre_nonpie := -fno-pie -no-pie
HELPER_FLAGS_pre_ctorlib := -shared -fPIC -Wl,-soname,pre_ctorlib
HELPER_FLAGS_pre_ctor := $(BUILD)/tests/helpers/pre_ctorlib -Wl,-rpath,'$$ORIGIN'
$(BUILD)/tests/helpers/pre_ctor: $(BUILD)/tests/helpers/pre_ctorlib

# The snapshot benchmark `make bench` runs (scripts/bench); not a test.
BENCH_BIN := $(BUILD)/tests/bench_snapshot
$(BENCH_BIN): tests/bench/bench_snapshot.c $(LIBA)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(CPPFLAGS) -Ilib $(CFLAGS) $(DEP_CFLAGS) -o $@ $< $(LIBA) $(LDFLAGS) $(DEP_LIBS)

# ---- fuzzing (tests/fuzz; tests/fuzz/run runs the targets) ---------
# libFuzzer targets, one per file, built with clang (Debian:
# libclang-rt-14-dev) against the library's sources compiled again with
# ASan and UBSan into $(BUILD)/fuzz.
FUZZ_CC     ?= clang
FUZZ        := $(BUILD)/fuzz
FUZZ_SRC    := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN    := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ)/%)
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ)/obj/%.o)
FUZZ_CFLAGS := $(CSTD) -O1 -g $(WARN) -fno-omit-frame-pointer -fno-strict-aliasing \
               -fsanitize=address,undefined -fno-sanitize-recover=all

$(FUZZ)/obj/%.o: %.c $(DEPSTAMP)
	@mkdir -p $(@D)
	@echo "  CC      $< (fuzz)"
	$(Q)$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(DEP_CFLAGS) -MMD -MP -c -o $@ $<

$(FUZZ)/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(FUZZ_LIB_OBJ)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(FUZZ_CC) $(CPPFLAGS) -Ilib $(FUZZ_CFLAGS) -fsanitize=fuzzer $(DEP_CFLAGS) -o $@ $< $(FUZZ_EXTRA_$*) $(FUZZ_LIB_OBJ) $(DEP_LIBS)

# fuzz_junit tests the hostctx command's JUnit rewriter: its source too,
# with libxml2 (without it the target is empty).
FUZZ_EXTRA_fuzz_junit = $(if $(filter 1,$(HAVE_LIBXML)),cli/junit_xml.c $(LIBXML_CFLAGS) $(LIBXML_LIBS))
$(FUZZ)/fuzz_junit: cli/junit_xml.c cli/junit.h cli/cli.h

fuzz: $(FUZZ_BIN)
.SECONDARY: $(FUZZ_LIB_OBJ)

tests: all $(UNIT_BIN) $(HELPER_BIN) $(BENCH_BIN) $(RUNNER_DYN)

# `make check`: install what is missing, build, run every test, end with
# "N passed, N failed[, N skipped]".
# LIBXML=0 is a deliberate build without libxml2: junit.bats then tests
# the error alone.  Found missing by LIBXML=auto, it fails.
TEST_ENV = BUILD=$(BUILD) HOSTCTX_HAVE_SECCOMP=$(HAVE_SECCOMP) \
	   $(if $(filter 0,$(LIBXML)),HOSTCTX_NO_LIBXML=1)

check: install-deps
	$(Q)$(MAKE) --no-print-directory tests
	$(Q)$(TEST_ENV) tests/run-all

check-unit: tests
	$(Q)$(TEST_ENV) tests/run-all unit

check-e2e: tests
	$(Q)$(TEST_ENV) tests/run-all e2e

install-deps deps:
	$(Q)scripts/install-deps

demo: install-deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)BUILD=$(BUILD) scripts/demo

bench: install-deps
	$(Q)$(MAKE) --no-print-directory tests
	$(Q)BUILD=$(BUILD) scripts/bench

# Where `make install` puts things: LIBDIR for the libraries (Debian:
# /usr/lib/<multiarch>), PRELOADDIR for libhostctx-preload.so (a
# private directory suits a distribution: it has no soname).
LIBDIR     ?= $(PREFIX)/lib
PRELOADDIR ?= $(LIBDIR)
MANDIR     ?= $(PREFIX)/share/man
DATADIR    ?= $(PREFIX)/share
D := $(DESTDIR)

install: all
	install -d $(D)$(PREFIX)/bin $(D)$(LIBDIR)/pkgconfig $(D)$(PRELOADDIR) \
	    $(D)$(PREFIX)/include $(D)$(MANDIR)/man1 $(D)$(MANDIR)/man7 \
	    $(D)$(DATADIR)/hostctx/schema $(D)$(DATADIR)/bash-completion/completions
	install -m 0755 $(HOSTCTX) $(RUNNER) $(D)$(PREFIX)/bin/
	install -m 0644 $(LIBSO) $(D)$(LIBDIR)/libhostctx.so.0
	ln -sf libhostctx.so.0 $(D)$(LIBDIR)/libhostctx.so
	install -m 0644 $(LIBA) $(D)$(LIBDIR)/
	install -m 0644 $(PRELOAD) $(D)$(PRELOADDIR)/
	# the preload library loads libhostctx.so.0 from its own directory
	[ "$(PRELOADDIR)" = "$(LIBDIR)" ] || \
	    ln -sfr $(D)$(LIBDIR)/libhostctx.so.0 $(D)$(PRELOADDIR)/libhostctx.so.0
	install -m 0644 include/hostctx.h $(D)$(PREFIX)/include/
	$(PC_SED) > $(D)$(LIBDIR)/pkgconfig/hostctx.pc
	chmod 0644 $(D)$(LIBDIR)/pkgconfig/hostctx.pc
	install -m 0644 docs/*.1 $(D)$(MANDIR)/man1/
	install -m 0644 docs/*.7 $(D)$(MANDIR)/man7/
	install -m 0644 completion/hostctx.bash $(D)$(DATADIR)/bash-completion/completions/hostctx
	install -m 0644 completion/hostctx.bash $(D)$(DATADIR)/bash-completion/completions/hostctx-run
	install -m 0644 docs/schema/*.schema.json $(D)$(DATADIR)/hostctx/schema/
	install -m 0755 ci/hostctx-ci $(D)$(DATADIR)/hostctx/hostctx-ci

uninstall:
	rm -f $(D)$(PREFIX)/bin/hostctx $(D)$(PREFIX)/bin/hostctx-run \
	    $(D)$(LIBDIR)/libhostctx.so* $(D)$(LIBDIR)/libhostctx.a \
	    $(D)$(PRELOADDIR)/libhostctx-preload.so $(D)$(PRELOADDIR)/libhostctx.so.0 \
	    $(D)$(PREFIX)/include/hostctx.h $(D)$(LIBDIR)/pkgconfig/hostctx.pc \
	    $(D)$(DATADIR)/bash-completion/completions/hostctx \
	    $(D)$(DATADIR)/bash-completion/completions/hostctx-run
	for m in docs/*.1; do rm -f $(D)$(MANDIR)/man1/$${m##*/}; done
	for m in docs/*.7; do rm -f $(D)$(MANDIR)/man7/$${m##*/}; done
	rm -rf $(D)$(DATADIR)/hostctx/schema $(D)$(DATADIR)/hostctx/hostctx-ci

clean:
	rm -rf $(BUILD)

-include $(shell find $(OBJ) $(FUZZ)/obj -name '*.d' 2>/dev/null)
