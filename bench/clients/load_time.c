/* How long a program waits for libkimi: dlopen of libkimi.so.0, then the
 * first calls (kimi_version, then kimi_client_new and kimi_client_free,
 * which start libcurl). Prints milliseconds as one JSON line. Given another
 * library (libcurl.so.4, for the floor), it only times the dlopen.
 *
 *   load_time /path/to/libkimi.so.0 */
#include "bench.h"

#include <dlfcn.h>
#include <stdio.h>

typedef const char *(*version_fn)(void);
typedef int (*client_new_fn)(const void *, void **);
typedef void (*client_free_fn)(void *);

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "libkimi.so.0";
    double t0 = wall_seconds(), t1, t2, t3;
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL), *client = NULL;
    version_fn version;
    client_new_fn client_new;
    client_free_fn client_free;
    if (!lib) {
        fprintf(stderr, "%s\n", dlerror());
        return 1;
    }
    t1 = wall_seconds();
    if (!dlsym(lib, "kimi_version")) {
        printf("{\"dlopen_ms\": %.3f}\n", (t1 - t0) * 1e3);
        return 0;
    }
    *(void **)&version = dlsym(lib, "kimi_version");
    *(void **)&client_new = dlsym(lib, "kimi_client_new");
    *(void **)&client_free = dlsym(lib, "kimi_client_free");
    if (!version || !client_new || !client_free || !version()[0]) return 1;
    t2 = wall_seconds();
    if (client_new(NULL, &client) != 0) return 1;
    client_free(client);
    t3 = wall_seconds();
    printf("{\"dlopen_ms\": %.3f, \"first_call_ms\": %.3f, \"client_ms\": %.3f, \"total_ms\": %.3f}\n",
           (t1 - t0) * 1e3, (t2 - t1) * 1e3, (t3 - t2) * 1e3, (t3 - t0) * 1e3);
    return 0;
}
