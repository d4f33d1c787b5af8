#!/usr/bin/env bash
# packaging/build-deps.sh SRC PREFIX: libcurl and jansson for the wheel,
# built from Debian's source packages (unpacked in SRC by
# packaging/debian-sources.sh) with packaging/cc, which targets glibc 2.28.
#
# Debian's own libcurl4 needs glibc 2.34 and brings twenty libraries
# (Kerberos, LDAP, ssh, idn...). This libcurl has what libkimi uses, HTTP
# and HTTPS with HTTP/2, with OpenSSL and nghttp2 linked in and hidden:
# PREFIX/lib/libcurl.so.4 and libjansson.so.4 need nothing but glibc 2.28.
# Their symbols carry no version (zig's linker has no --default-symver), so
# libkimi linked against them runs with any distribution's libcurl.so.4 and
# libjansson.so.4, versioned or not.
# OpenSSL finds CA certificates as libkimi asks (SSL_CERT_FILE, SSL_CERT_DIR,
# the distribution's bundle) or in /etc/ssl.
set -euo pipefail
src=$(realpath "$1")
prefix=$(realpath -m "$2")
here=$(dirname "$(realpath "$0")")
export CC="$here/cc"
# OpenSSL and nghttp2 are compiled with hidden symbols: linked into
# libcurl.so, they are used by curl and seen by nobody else, so they never
# meet another OpenSSL in the same process.
export CFLAGS="-O2 -g -fPIC"
HIDDEN="$CFLAGS -fvisibility=hidden"
export LDFLAGS="-Wl,--build-id=sha1"
jobs=$(nproc)
mkdir -p "$prefix/lib" "$prefix/include"
log=$prefix/build.log
: > "$log"

step() { echo "build-deps: $1"; }

if [ ! -e "$prefix/lib/libcrypto.a" ]; then
  step "OpenSSL ($(cat "$src/openssl/.debian-source"))"
  (cd "$src/openssl" &&
   ./Configure linux-x86_64 no-shared no-module no-engine no-legacy no-tests no-comp no-dtls \
     --prefix="$prefix" --libdir=lib --openssldir=/etc/ssl CC="$CC" CFLAGS="$HIDDEN" &&
   make -j"$jobs" build_libs && make install_dev) >>"$log" 2>&1 || { tail -30 "$log"; exit 1; }
fi

if [ ! -e "$prefix/lib/libnghttp2.a" ]; then
  step "nghttp2 ($(cat "$src/nghttp2/.debian-source"))"
  (cd "$src/nghttp2" && { [ -x configure ] || autoreconf -fi; } &&
   CFLAGS="$HIDDEN" ./configure --prefix="$prefix" --libdir="$prefix/lib" --enable-lib-only --disable-shared \
     --enable-static --with-pic &&
   make -j"$jobs" -C lib && make -C lib install) >>"$log" 2>&1 || { tail -30 "$log"; exit 1; }
fi

if [ ! -e "$prefix/lib/libcurl.so.4" ]; then
  step "curl ($(cat "$src/curl/.debian-source"))"
  # Only HTTP(S), with OpenSSL and nghttp2 inside.
  (cd "$src/curl" && { [ -x configure ] || autoreconf -fi; } &&
   PKG_CONFIG_PATH="$prefix/lib/pkgconfig" LDFLAGS="$LDFLAGS -L$prefix/lib" LIBS="-ldl -lpthread" \
   ./configure --prefix="$prefix" --libdir="$prefix/lib" --enable-shared --disable-static \
     --with-openssl="$prefix" --with-nghttp2="$prefix" \
     --without-ca-bundle --without-ca-path --with-ca-fallback \
     --without-libpsl --without-libidn2 --without-zlib --without-brotli --without-zstd --without-librtmp \
     --without-libssh2 --without-libssh --without-gssapi --disable-ldap --disable-ldaps --disable-rtsp \
     --disable-dict --disable-telnet --disable-tftp --disable-pop3 --disable-imap --disable-smb --disable-smtp \
     --disable-gopher --disable-mqtt --disable-manual --disable-ntlm --disable-versioned-symbols &&
   make -j"$jobs" -C lib && make -C lib install && make -C include install) >>"$log" 2>&1 || { tail -30 "$log"; exit 1; }
fi

if [ ! -e "$prefix/lib/libjansson.so.4" ]; then
  step "jansson ($(cat "$src/jansson/.debian-source"))"
  (cd "$src/jansson" && { [ -x configure ] || autoreconf -fi; } &&
   ./configure --prefix="$prefix" --libdir="$prefix/lib" --enable-shared --disable-static &&
   sed -i 's/-Wl,--default-symver//' src/Makefile &&
   make -j"$jobs" -C src && make -C src install) >>"$log" 2>&1 || { tail -30 "$log"; exit 1; }
fi

# Their licences travel with them (the wheel's .dist-info/licenses).
mkdir -p "$prefix/licenses"
cp "$src/openssl/LICENSE.txt" "$prefix/licenses/openssl.txt"
cp "$src/nghttp2/COPYING" "$prefix/licenses/nghttp2.txt"
cp "$src/curl/COPYING" "$prefix/licenses/curl.txt"
cp "$src/jansson/LICENSE" "$prefix/licenses/jansson.txt"
for pkg in openssl nghttp2 curl jansson; do cat "$src/$pkg/.debian-source"; done > "$prefix/SOURCES"
