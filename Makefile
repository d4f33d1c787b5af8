# libkimi: build, demo, test and install.
#
#   make            build/libkimi.so.X.Y.Z (+ symlinks), build/libkimi.pc, build/kimi
#   make demo       build, then stream a real chat (Kimi with MOONSHOT_API_KEY,
#                   otherwise the bundled mock server)
#   make test       every test: Swift, ABI checks, C, install (kimi, man pages,
#                   CMake, pkg-config), Python
#   make test-fuzz  a 5 s smoke run of each libFuzzer target (builds them: ~2 min)
#   make man        the per-function man pages from kimi.h (build/man/man3)
#   make header     check kimi.h's tags and write what is generated from them
#                   (the Python function table, bindings/python/.../_declarations.py)
#   make asan       the C tests under AddressSanitizer + LeakSanitizer
#   make tsan       the many-threads stress test under ThreadSanitizer
#   make fuzz       each libFuzzer target for FUZZ_SECONDS (60)
#   make bench      benchmarks against curl and openai-python
#   make callgrind  instructions per streamed chunk, libkimi against curl
#   make install    PREFIX=/usr/local LIBDIR=$(PREFIX)/lib BINDIR MANDIR DESTDIR=
#   make uninstall
#   make release    wheel, Debian packages, tarball, debug files for glibc 2.28+
#                   into build/dist (packaging/dist.mk: wheel, deb, dist,
#                   test-dist, abi-check)

SHELL := /bin/bash
VERSION := $(shell sed -n 's/^\#define KIMI_VERSION "\(.*\)"/\1/p' include/kimi.h)
SOVERSION := $(firstword $(subst ., ,$(VERSION)))
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
CMAKEDIR ?= $(LIBDIR)/cmake/libkimi
PYTHON ?= python3
CC ?= cc

ROOT := $(abspath .)
BUILD := $(ROOT)/build
LIB_REAL := $(BUILD)/libkimi.so.$(VERSION)
LIB_SONAME := $(BUILD)/libkimi.so.$(SOVERSION)
LIB_DEV := $(BUILD)/libkimi.so
PC_UNINSTALLED := $(BUILD)/libkimi.pc
CLI := $(BUILD)/kimi
CLI_SOURCES := $(wildcard cli/*.c)
CLI_HEADERS := $(wildcard cli/*.h)
SWIFT_LIB := $(ROOT)/.build/release/libkimi.so
SOURCES := Package.swift include/kimi.h $(shell find Sources -type f)

# C programs: strict C99 against the header, linked to the build tree.
CWARN := -std=c99 -Wall -Wextra -pedantic -Werror
CFLAGS_KIMI := $(CWARN) -I$(ROOT)/include -O2 -g
LDFLAGS_KIMI := -L$(BUILD) -lkimi -Wl,-rpath,$(BUILD) -lpthread -lm
# kimi(1)'s own libraries besides libkimi: SQLite (the log) and libedit (the
# line editor). One variable for every link of kimi, packaging included.
# Deferred (=), so `make deps` can install them before they are asked for.
CLI_PKGS := sqlite3 libedit
CLI_CFLAGS = $(shell pkg-config --cflags $(CLI_PKGS))
CLI_LIBS = $(shell pkg-config --libs $(CLI_PKGS)) -lpthread
# kimi's whole link line but the rpath: libkimi, then its own libraries
# (CLI_LDLIBS: the same without libkimi, for packaging/dist.mk).
CLI_LINK = -L$(BUILD) -lkimi $(CLI_LIBS)
CLI_LDLIBS = $(CLI_LIBS) -lm
WITH_MOCK := $(PYTHON) Tests/mock/with_mock.py --
# The mock and the hostile server (Tests/hostile) together.
WITH_SERVERS := $(PYTHON) Tests/mock/with_mock.py --hostile --

.PHONY: all deps demo man header test test-swift test-c test-abi test-install test-python test-fuzz python-wheel install uninstall clean examples bench \
        asan tsan fuzz fuzz-build hot-symbols callgrind valgrind

all: $(LIB_SONAME) $(LIB_DEV) $(PC_UNINSTALLED) $(CLI)

# $(call apt_install_missing,WHO): the Debian packages listed in the shell
# variable $$missing, installed with apt-get when we are root, otherwise the
# exact command is printed and the recipe fails.
apt_install_missing = if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing:$$missing"; \
	    (apt-get install -y $$missing || (apt-get update && apt-get install -y $$missing)) >/dev/null || exit 1; \
	  else \
	    echo "$(1) needs:$$missing"; echo "run: sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

# libcurl and jansson development files (the library), SQLite and libedit
# (kimi).
deps:
	@missing=""; \
	command -v pkg-config >/dev/null || missing="pkg-config"; \
	pkg-config --exists libcurl 2>/dev/null || missing="$$missing libcurl4-openssl-dev"; \
	pkg-config --exists jansson 2>/dev/null || missing="$$missing libjansson-dev"; \
	pkg-config --exists sqlite3 2>/dev/null || missing="$$missing libsqlite3-dev"; \
	pkg-config --exists libedit 2>/dev/null || missing="$$missing libedit-dev"; \
	$(call apt_install_missing,libkimi)

# glibc 2.36+ loads packed relative relocations (DT_RELR): the static Swift
# runtime's ~19,000 relocations then take 3 KB instead of 460 KB, which
# loads faster and keeps ~0.5 MB out of every process's memory.
GLIBC_MINOR := $(shell getconf GNU_LIBC_VERSION 2>/dev/null | sed -n 's/^glibc 2\.\([0-9]*\).*/\1/p')
RELR_FLAGS := $(shell [ "$(GLIBC_MINOR)" -ge 36 ] 2>/dev/null && echo "-Xlinker -z -Xlinker pack-relative-relocs")

# The Swift runtime needs the C++ runtime. Linked statically (a linker script
# makes the driver's -lstdc++ mean the archive), it stays private to libkimi
# (the version script hides it): one library fewer to load (~1.4 ms) and
# ~0.9 MB less in every process. Without the archive, libstdc++.so is used.
STATIC_CXX := $(shell $(CC) -print-file-name=libstdc++.a 2>/dev/null)
ifneq ($(filter /%,$(STATIC_CXX)),)
CXX_SCRIPT := $(BUILD)/link/libstdc++.so
CXX_FLAGS := -Xlinker -L$(BUILD)/link
endif

$(BUILD)/link/libstdc++.so:
	@mkdir -p $(dir $@)
	echo "INPUT($(STATIC_CXX))" > $@

$(SWIFT_LIB): $(SOURCES) $(CXX_SCRIPT) | deps
	swift build -c release -Xswiftc -static-stdlib $(RELR_FLAGS) $(CXX_FLAGS) --product kimi
	@touch $@

$(LIB_REAL): $(SWIFT_LIB)
	@mkdir -p $(BUILD)
	cp $(SWIFT_LIB) $@

$(LIB_SONAME): $(LIB_REAL)
	ln -sf libkimi.so.$(VERSION) $@

$(LIB_DEV): $(LIB_SONAME)
	ln -sf libkimi.so.$(SOVERSION) $@

# $(call configure,TEMPLATE,PREFIX,LIBDIR,INCLUDEDIR,DIR): TEMPLATE with its
# paths written relative to DIR, where the file goes (relocatable .pc and
# CMake files: a DESTDIR-staged copy and the installed one both work).
configure = sed -e "s|@REL_PREFIX@|$$(realpath -m --relative-to=$(5) $(2))|" \
                -e "s|@REL_LIBDIR@|$$(realpath -m --relative-to=$(2) $(3))|" \
                -e "s|@REL_INCLUDEDIR@|$$(realpath -m --relative-to=$(2) $(4))|" \
                -e 's|@VERSION@|$(VERSION)|' -e 's|@SOVERSION@|$(SOVERSION)|' $(1)

# A .pc for the build tree: PKG_CONFIG_PATH=build pkg-config --libs libkimi
$(PC_UNINSTALLED): libkimi.pc.in include/kimi.h
	@mkdir -p $(BUILD)
	$(call configure,libkimi.pc.in,$(ROOT),$(BUILD),$(ROOT)/include,$(BUILD)) > $@

# One man page per function of kimi.h (man/gen_man.py), next to the
# hand-written kimi(1) and libkimi(3).
MAN_STAMP := $(BUILD)/man/man3/.generated

$(MAN_STAMP): include/kimi.h man/gen_man.py tools/kimi_header.py
	rm -rf $(BUILD)/man/man3
	$(PYTHON) man/gen_man.py $(BUILD)/man
	@touch $@

man: $(MAN_STAMP)

# kimi.h's tags (tools/kimi_header.py reads them) and what is generated
# from them and committed: the Python bindings' function table.
header:
	$(PYTHON) tools/gen_python.py

# ---------------------------------------------------------------- kimi(1)
# The command-line client: C on the public API only (cli/).
$(CLI): $(CLI_SOURCES) $(CLI_HEADERS) include/kimi.h $(LIB_DEV) | deps
	$(CC) $(CFLAGS_KIMI) $(CLI_CFLAGS) $(CLI_SOURCES) -o $@ $(CLI_LINK) -Wl,-rpath,$(BUILD)

# The terminal-safety of kimi's text output, tested on its own (text.c).
$(BUILD)/tests/test_cli_text: Tests/install/test_cli_text.c cli/text.c cli/cli.h include/kimi.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_KIMI) Tests/install/test_cli_text.c cli/text.c -o $@

# ---------------------------------------------------------------- examples
EXAMPLES := $(patsubst examples/%.c,$(BUILD)/examples/%,$(wildcard examples/*.c))

examples: $(EXAMPLES)

$(BUILD)/examples/%: examples/%.c include/kimi.h $(LIB_DEV)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_KIMI) $< -o $@ $(LDFLAGS_KIMI)

DEMO_QUESTION := In one sentence: what makes a C library pleasant to use?

# A streamed chat: reasoning (dimmed on a terminal), then the answer.
demo: all $(BUILD)/examples/stream_chat
	@if [ -n "$$MOONSHOT_API_KEY$$KIMI_API_KEY" ]; then \
	  echo "== libkimi demo against $${KIMI_BASE_URL:-https://api.moonshot.ai/v1}"; \
	  $(BUILD)/examples/stream_chat "$(DEMO_QUESTION)"; \
	else \
	  echo "== libkimi demo against the local mock Kimi server (set MOONSHOT_API_KEY to use the real API)"; \
	  $(WITH_MOCK) $(BUILD)/examples/stream_chat "$(DEMO_QUESTION) [[mock: delay_ms=15]]"; \
	fi

# ------------------------------------------------------------------- tests
C_TEST_SOURCES := $(wildcard Tests/c/test_*.c Tests/hostile/test_*.c)
C_TESTS := $(patsubst %.c,$(BUILD)/tests/%,$(notdir $(C_TEST_SOURCES)))
vpath test_%.c Tests/c Tests/hostile

$(BUILD)/tests/%: %.c Tests/c/harness.h include/kimi.h $(LIB_DEV)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_KIMI) $< -o $@ $(LDFLAGS_KIMI)

test: test-swift test-abi test-c test-install test-python
	@echo "make test: all suites passed"

test-swift: | deps
	swift test

$(BUILD)/samples/manifest.json: Tests/media/make_samples.py
	$(PYTHON) Tests/media/make_samples.py $(BUILD)/samples

test-c: all examples $(C_TESTS) $(BUILD)/samples/manifest.json
	KIMI_SAMPLES=$(BUILD)/samples $(WITH_SERVERS) $(PYTHON) Tests/c/run.py $(C_TESTS)

test-abi: all examples
	$(PYTHON) Tests/abi/header_tags.py
	$(WITH_MOCK) $(PYTHON) Tests/abi/check_abi.py --build $(BUILD) --cc $(CC)
	$(WITH_MOCK) $(PYTHON) Tests/abi/bad_arguments.py --lib $(LIB_SONAME)

# ------------------------------------------------------------- sanitizers
# The library built with a sanitizer (SwiftPM --sanitize, its own build
# directory) and the C tests built against it with the Swift toolchain's
# clang, which carries the matching sanitizer runtimes.
SWIFT_BIN := $(dir $(realpath $(shell command -v swift)))
SAN_CC := $(SWIFT_BIN)clang
SWIFT_LINUX_LIBS := $(realpath $(SWIFT_BIN)../lib/swift/linux)
SAN_CFLAGS := -std=c99 -g -O1 -fno-omit-frame-pointer -fuse-ld=lld -I$(ROOT)/include
SAN_LIB_BUILD = swift build -c release --build-path .build-$(1) --sanitize=$(2) -Xswiftc -static-stdlib --product kimi

# AddressSanitizer and LeakSanitizer over every C test.
asan: all $(BUILD)/samples/manifest.json
	$(call SAN_LIB_BUILD,asan,address)
	@mkdir -p $(BUILD)/asan
	cp .build-asan/release/libkimi.so $(BUILD)/asan/libkimi.so.0
	for src in $(C_TEST_SOURCES); do t=$$(basename $$src .c); \
	  $(SAN_CC) $(SAN_CFLAGS) -fsanitize=address $$src -o $(BUILD)/asan/$$t \
	    -L$(BUILD)/asan -l:libkimi.so.0 -Wl,-rpath,$(BUILD)/asan -lpthread -lm || exit 1; \
	done
	ASAN_OPTIONS=detect_leaks=1 KIMI_SAMPLES=$(BUILD)/samples $(WITH_SERVERS) $(PYTHON) Tests/c/run.py $(addprefix $(BUILD)/asan/,$(notdir $(C_TESTS)))

# ThreadSanitizer over the many-threads tests: the stress test, the event
# loop's tasks and queues (test_queue: a host thread taking events while the
# loop queues them; test_loop_wakeups: starts and resumes handed over from
# several threads at once), the streams cancelled and freed from another thread
# (test_stream, test_hostile), and every endpoint's tasks cancelled and
# freed at every moment (test_hostile_tasks, about a minute here). The
# toolchain's TSan runtime intercepts libdispatch, so the programs link the
# toolchain's copy.
TSAN_SOURCES := Tests/c/test_stress.c Tests/c/test_tasks.c Tests/c/test_engine.c Tests/c/test_stream.c \
                Tests/c/test_queue.c Tests/c/test_queue_stress.c Tests/c/test_loop_wakeups.c \
                Tests/hostile/test_hostile.c Tests/hostile/test_hostile_tasks.c

tsan: all
	$(call SAN_LIB_BUILD,tsan,thread)
	@mkdir -p $(BUILD)/tsan
	cp .build-tsan/release/libkimi.so $(BUILD)/tsan/libkimi.so.0
	for src in $(TSAN_SOURCES); do t=$$(basename $$src .c); \
	  $(SAN_CC) $(SAN_CFLAGS) -fsanitize=thread $$src -o $(BUILD)/tsan/$$t \
	    -L$(BUILD)/tsan -l:libkimi.so.0 -Wl,-rpath,$(BUILD)/tsan \
	    -L$(SWIFT_LINUX_LIBS) -ldispatch -lBlocksRuntime -Wl,-rpath,$(SWIFT_LINUX_LIBS) -lpthread || exit 1; \
	done
	TSAN_OPTIONS=halt_on_error=1:exitcode=66 $(WITH_SERVERS) $(PYTHON) Tests/c/run.py \
	  $(addprefix $(BUILD)/tsan/,$(basename $(notdir $(TSAN_SOURCES))))

# --------------------------------------------------------------- fuzzing
# libFuzzer targets (Fuzz/*), with AddressSanitizer; KimiCore gets coverage
# instrumentation explicitly (SwiftPM gives it only to the fuzzer's module).
FUZZ_SECONDS ?= 60
FUZZ_PRODUCTS := StreamFuzz ResponseFuzz ErrorFuzz HeaderFuzz ObjectFuzz MediaFuzz EventQueueFuzz
FUZZ_BUILD := KIMI_FUZZ=1 swift build -c release --build-path .build-fuzz --sanitize=fuzzer --sanitize=address \
              -Xswiftc -use-ld=lld -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp

fuzz-build: | deps
	for p in $(FUZZ_PRODUCTS); do $(FUZZ_BUILD) --product $$p || exit 1; done

fuzz: fuzz-build
	$(PYTHON) Fuzz/run.py --bin .build-fuzz/release --seconds $(FUZZ_SECONDS)

# A smoke run of the fuzz targets, 5 s each (make fuzz runs them longer).
# Not part of `make test`: building the instrumented targets alone takes
# about two minutes on a 2-core machine.
test-fuzz: fuzz-build
	$(PYTHON) Fuzz/run.py --bin .build-fuzz/release --seconds 5

# ------------------------------------------------------------- benchmarks
BENCH_VENV := $(BUILD)/bench-venv
BENCH_PROGRAMS := $(addprefix $(BUILD)/bench/,stream_consumer soak small_requests concurrent_streams load_time curl_minimal batch_scale file_download)

$(BUILD)/bench/%: bench/clients/%.c bench/clients/bench.h include/kimi.h $(LIB_DEV)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_KIMI) $< -o $@ $(LDFLAGS_KIMI) -ldl

# Measures dlopen, so it must not link libkimi (or libcurl) itself.
$(BUILD)/bench/load_time: bench/clients/load_time.c bench/clients/bench.h
	@mkdir -p $(dir $@)
	$(CC) $(CWARN) -O2 -I$(ROOT)/include $< -o $@ -ldl

# The libcurl-only floor for the minimal-program comparison.
$(BUILD)/bench/curl_minimal: bench/clients/curl_minimal.c
	@mkdir -p $(dir $@)
	$(CC) $(CWARN) -O2 $< -o $@ $$(pkg-config --cflags --libs libcurl)

# The peers run from a private virtual environment, so the system's Python
# stays untouched.
$(BENCH_VENV)/bin/python:
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install -q openai httpx

bench: all examples $(BENCH_PROGRAMS) $(BENCH_VENV)/bin/python
	swift build -c release --product kimi-bench
	$(PYTHON) bench/run.py --python $(BENCH_VENV)/bin/python $(BENCH_ARGS)

# valgrind, for the instruction counts and the hot-symbol list.
valgrind:
	@missing=""; command -v valgrind >/dev/null || missing=" valgrind"; \
	$(call apt_install_missing,callgrind)

# Instructions per streamed chunk under callgrind, libkimi's C stream against
# curl's transfer, with the functions that run the most (bench/callgrind.py):
# deterministic where CPU seconds are not. CALLGRIND_ARGS="--only stream".
callgrind: all $(BUILD)/bench/stream_consumer | valgrind
	$(PYTHON) bench/callgrind.py $(CALLGRIND_ARGS)

# The linker's order for libkimi's hot functions (bench/hot_symbols.py):
# regenerate after large changes; needs valgrind.
hot-symbols: all examples $(BENCH_PROGRAMS) | valgrind
	$(WITH_MOCK) $(PYTHON) bench/hot_symbols.py $(PYTHON)

# ----------------------------------------------------------------- Python
TEST_VENV := $(BUILD)/test-venv
PY_SOURCES := $(shell find bindings/python -name '*.py' -o -name '*.toml' -o -name 'py.typed')

# A private virtual environment with pytest, h2 (the HTTP/2 test server),
# openai-python (the scripts run against both it and libkimi, and pydantic
# for parse()) and the type checkers mypy and basedpyright (the typing
# test), installed only when missing, and the package installed from
# bindings/python, as a user would install it.
$(TEST_VENV)/installed: $(PY_SOURCES) Makefile
	@test -x $(TEST_VENV)/bin/python || $(PYTHON) -m venv $(TEST_VENV)
	@($(TEST_VENV)/bin/python -c "import pytest, h2, openai, pydantic, mypy" && test -x $(TEST_VENV)/bin/cmake \
	  && test -x $(TEST_VENV)/bin/basedpyright) 2>/dev/null || \
	  $(TEST_VENV)/bin/python -m pip install -q pytest h2 openai pydantic cmake mypy basedpyright
	@# setuptools' build/ keeps modules deleted from src/ and would ship them again
	rm -rf bindings/python/build
	$(TEST_VENV)/bin/python -m pip install -q --no-deps --force-reinstall ./bindings/python
	@touch $@

test-python: all examples $(TEST_VENV)/installed
	cd bindings/python && LIBKIMI_LIBRARY=$(BUILD)/libkimi.so.0 $(TEST_VENV)/bin/python -m pytest -q tests

# kimi(1), the man pages, CMake and pkg-config from `make install` copies.
test-install: all $(BUILD)/samples/manifest.json $(TEST_VENV)/installed $(BUILD)/tests/test_cli_text
	PATH=$(TEST_VENV)/bin:$$PATH $(WITH_MOCK) $(TEST_VENV)/bin/python -m pytest -q Tests/install

# A wheel that carries libkimi.so, tagged for this platform (build/wheels/):
# bindings/python/setup.py puts the built library inside the package.
python-wheel: all
	$(PYTHON) -m pip wheel -q --no-deps -w $(BUILD)/wheels ./bindings/python
	@ls $(BUILD)/wheels

# ----------------------------------------------------------------- install
install: all $(MAN_STAMP)
	install -d $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(CMAKEDIR) \
	           $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3
	install -m 644 include/kimi.h $(DESTDIR)$(INCLUDEDIR)/kimi.h
	install -m 755 $(LIB_REAL) $(DESTDIR)$(LIBDIR)/libkimi.so.$(VERSION)
	ln -sf libkimi.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libkimi.so.$(SOVERSION)
	ln -sf libkimi.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libkimi.so
	$(call configure,libkimi.pc.in,$(PREFIX),$(LIBDIR),$(INCLUDEDIR),$(PKGCONFIGDIR)) > $(DESTDIR)$(PKGCONFIGDIR)/libkimi.pc
	$(call configure,cmake/libkimiConfig.cmake.in,$(PREFIX),$(LIBDIR),$(INCLUDEDIR),$(CMAKEDIR)) \
	  > $(DESTDIR)$(CMAKEDIR)/libkimiConfig.cmake
	$(call configure,cmake/libkimiConfigVersion.cmake.in,$(PREFIX),$(LIBDIR),$(INCLUDEDIR),$(CMAKEDIR)) \
	  > $(DESTDIR)$(CMAKEDIR)/libkimiConfigVersion.cmake
	# kimi(1), linked again to find the library from its own place ($$ORIGIN).
	$(CC) $(CFLAGS_KIMI) $(CLI_CFLAGS) $(CLI_SOURCES) -o $(DESTDIR)$(BINDIR)/kimi $(CLI_LINK) \
	  -Wl,-rpath,'$$ORIGIN/'"$$(realpath -m --relative-to=$(BINDIR) $(LIBDIR))"
	install -m 644 man/kimi.1 $(DESTDIR)$(MANDIR)/man1/kimi.1
	install -m 644 man/libkimi.3 $(BUILD)/man/man3/kimi_*.3 $(DESTDIR)$(MANDIR)/man3/
	@if [ -z "$(DESTDIR)" ] && command -v ldconfig >/dev/null; then ldconfig; fi

uninstall:
	rm -f $(DESTDIR)$(INCLUDEDIR)/kimi.h $(DESTDIR)$(PKGCONFIGDIR)/libkimi.pc \
	      $(DESTDIR)$(LIBDIR)/libkimi.so $(DESTDIR)$(LIBDIR)/libkimi.so.$(SOVERSION) \
	      $(DESTDIR)$(LIBDIR)/libkimi.so.$(VERSION) $(DESTDIR)$(BINDIR)/kimi \
	      $(DESTDIR)$(CMAKEDIR)/libkimiConfig.cmake $(DESTDIR)$(CMAKEDIR)/libkimiConfigVersion.cmake \
	      $(DESTDIR)$(MANDIR)/man1/kimi.1 $(DESTDIR)$(MANDIR)/man3/libkimi.3 $(DESTDIR)$(MANDIR)/man3/kimi_*.3
	-rmdir $(DESTDIR)$(CMAKEDIR) 2>/dev/null
	@if [ -z "$(DESTDIR)" ] && command -v ldconfig >/dev/null; then ldconfig; fi

include packaging/dist.mk

clean:
	rm -rf $(BUILD) .build .build-asan .build-tsan .build-fuzz .build-dist
