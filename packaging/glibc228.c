/* Linked into the release libkimi.so only (packaging/sysroot.sh, Makefile's
 * DIST_LINK): the one glibc symbol newer than 2.28 that the build needs.
 *
 * GCC 12's libstdc++.a (guard.o, stdexcept.o, cow-string-inst.o,
 * cow-stdexcept.o, thread.o) reads glibc 2.32's __libc_single_threaded to
 * skip atomic reference counts while a process has one thread. This private
 * copy says "maybe several threads" for ever, so libstdc++ always takes the
 * atomic path, as it did before glibc 2.32: correct, and the version script
 * keeps the symbol inside libkimi. */
char __libc_single_threaded = 0;
