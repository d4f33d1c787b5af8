/* A file's content of N bytes downloaded with kimi_file_content_to_fd (to
 * /dev/null, or the path given second) from the mock's virtual file
 * file-big-<N>, which the mock writes as the client reads. Memory must not
 * grow with N: the body goes to the descriptor piece by piece. Prints one
 * JSON line for bench/run.py:
 *
 *   {"bytes": N, "download_s": ..., "mb_per_s": ...}
 */
#include "bench.h"

#include <fcntl.h>
#include <unistd.h>

int main(int argc, char **argv) {
    long long n = argc > 1 ? atoll(argv[1]) : 200LL << 20;
    const char *to = argc > 2 ? argv[2] : "/dev/null";
    kimi_client *client = bench_client();
    char id[64];
    uint64_t bytes = 0;
    double start, seconds;
    int fd = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
        perror(to);
        return 1;
    }
    snprintf(id, sizeof id, "file-big-%lld", n);
    start = wall_seconds();
    if (kimi_file_content_to_fd(client, id, fd, NULL, NULL, &bytes) != KIMI_OK || (long long)bytes != n) {
        fprintf(stderr, "download: %s (%llu bytes)\n", kimi_error_message(), (unsigned long long)bytes);
        return 1;
    }
    seconds = wall_seconds() - start;
    close(fd);
    printf("{\"bytes\": %llu, \"download_s\": %.3f, \"mb_per_s\": %.1f}\n", (unsigned long long)bytes, seconds,
           bytes / 1048576.0 / seconds);
    kimi_client_free(client);
    return 0;
}
