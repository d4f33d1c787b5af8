#!/usr/bin/env bash
# packaging/sysroot.sh SYSROOT DEPS: a link-only sysroot for glibc 2.28.
#
# The release library is compiled as usual and linked by the Swift
# toolchain's clang with --sysroot=SYSROOT, so every glibc symbol binds to
# the version glibc 2.28 has (and one it lacks fails the link, -z defs):
#   usr/lib/x86_64-linux-gnu  zig's glibc 2.28 link stubs (libc.so.6, libm,
#                             libpthread, libdl, librt, ld-linux) and its
#                             libc_nonshared.a (stat, fstat... are functions
#                             there before glibc 2.33); libcurl and jansson
#                             from DEPS (packaging/build-deps.sh);
#                             libgcc_s.so.1 (GCC's, on every glibc system)
#   usr/lib/gcc/x86_64-linux-gnu/N  GCC's crtbeginS.o, crtendS.o, libgcc.a
#   crt/                      GCC's crtbeginS.o and crtendS.o (the link uses
#                             -nostartfiles: glibc's crti.o is not needed)
#                             and glibc228.o (packaging/glibc228.c)
#   pkgconfig/                libcurl.pc and jansson.pc naming DEPS
# Nothing of this machine's glibc is in it.
set -euo pipefail
sysroot=$(realpath -m "$1")
deps=$(realpath "$2")
here=$(dirname "$(realpath "$0")")
lib=$sysroot/usr/lib/x86_64-linux-gnu
rm -rf "$sysroot"
mkdir -p "$lib" "$sysroot/pkgconfig"

# zig makes the stubs the first time it links for the target; its verbose
# link line names them.
probe=$sysroot/probe
mkdir -p "$probe"
echo 'int kimi_probe(void) { return 0; }' > "$probe/probe.c"
"$here/cc" -shared -v -o "$probe/probe.so" "$probe/probe.c" 2> "$probe/link.txt"
for name in libc.so.6 libm.so.6 libpthread.so.0 libdl.so.2 librt.so.1 libutil.so.1 libld.so.2 libc_nonshared.a; do
  path=$(tr ' ' '\n' < "$probe/link.txt" | grep "/$name\$" | head -1)
  [ -n "$path" ] || { echo "sysroot: zig named no $name" >&2; exit 1; }
  cp "$path" "$lib/"
done
rm -rf "$probe"
mv "$lib/libld.so.2" "$lib/ld-linux-x86-64.so.2"
for so in libm.so.6 libpthread.so.0 libdl.so.2 librt.so.1 libutil.so.1; do ln -s "$so" "$lib/${so%.*}"; done
echo 'GROUP ( libc.so.6 libc_nonshared.a AS_NEEDED ( ld-linux-x86-64.so.2 ) )' > "$lib/libc.so"

# GCC's own runtime (not glibc's): its files, not its directory, so that no
# relative path from it leads back to this machine's libraries.
gcc_dir=$(dirname "$(gcc -print-libgcc-file-name)")
gcc_in_sysroot=$sysroot/usr/lib/gcc/x86_64-linux-gnu/$(basename "$gcc_dir")
mkdir -p "$gcc_in_sysroot"
for f in crtbegin.o crtbeginS.o crtend.o crtendS.o libgcc.a libgcc_eh.a; do ln -s "$gcc_dir/$f" "$gcc_in_sysroot/$f"; done
echo 'GROUP ( libgcc_s.so.1 -lgcc )' > "$gcc_in_sysroot/libgcc_s.so"
mkdir -p "$sysroot/crt"
ln -s "$gcc_dir/crtbeginS.o" "$gcc_dir/crtendS.o" "$sysroot/crt/"
"$here/cc" -O2 -fPIC -c "$here/glibc228.c" -o "$sysroot/crt/glibc228.o"
ln -s "$(gcc -print-file-name=libgcc_s.so.1)" "$lib/libgcc_s.so.1"

for so in libcurl.so.4 libjansson.so.4; do ln -s "$deps/lib/$so" "$lib/$so"; ln -s "$so" "$lib/${so%.4}"; done
for pc in libcurl:curl jansson:jansson; do
  name=${pc%%:*}
  version=$(sed -n "s/^${pc##*:}_\([^-]*\)-.*/\1/p" "$deps/SOURCES")  # curl_7.88.1-10+deb12u15: 7.88.1
  printf 'Name: %s\nDescription: %s for glibc 2.28 (packaging/build-deps.sh)\nVersion: %s\nLibs: -L%s -l%s\nCflags: -I%s\n' \
    "$name" "$name" "$version" "$lib" "${pc##*:}" "$deps/include" > "$sysroot/pkgconfig/$name.pc"
done
