/* Hostile local files: media crafted to make a reader recurse, loop or read
 * without end, and paths that are not regular files (a FIFO that would
 * block, /dev/zero that never ends, a directory). Every call runs on a
 * 64 KiB thread stack, so a recursion is a crash, not a slow test. The files
 * are made here, in a temporary directory. */
#include "harness.h"

#include <errno.h>
#include <sys/stat.h>

static char dir[256];

static const char *path_of(const char *name) {
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

/* Writes `head`, then `unit` `times` times, then `tail`, into `name`. */
static void write_file(const char *name, const void *head, size_t head_len, const void *unit, size_t unit_len,
                       size_t times, const void *tail, size_t tail_len) {
    FILE *f = fopen(path_of(name), "wb");
    size_t i;
    if (!f) {
        fprintf(stderr, "cannot write %s\n", path_of(name));
        exit(2);
    }
    fwrite(head, 1, head_len, f);
    for (i = 0; i < times; i++) fwrite(unit, 1, unit_len, f);
    if (tail_len) fwrite(tail, 1, tail_len, f);
    fclose(f);
}

static unsigned char *read_file(const char *name, size_t *len) {
    FILE *f = fopen(path_of(name), "rb");
    unsigned char *bytes;
    long size;
    if (!f) exit(2);
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);
    bytes = malloc((size_t)size);
    *len = fread(bytes, 1, (size_t)size, f);
    fclose(f);
    return bytes;
}

static void make_files(void) {
    /* WebM: an EBML header, then 17,000 Segments of unknown size, each
       inside the one before (0.2.0 recursed once per level). */
    static const unsigned char ebml[] = {0x1A, 0x45, 0xDF, 0xA3, 0x87, 0x42, 0x82, 0x84, 'w', 'e', 'b', 'm'};
    static const unsigned char segment[] = {0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    /* MP4: an ftyp box, then 10,000 moov boxes of size 0 ("to the end"). */
    static const unsigned char ftyp[] = {0, 0, 0, 20, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm', 0, 0, 2, 0,
                                         'i', 's', 'o', 'm'};
    static const unsigned char moov[] = {0, 0, 0, 0, 'm', 'o', 'o', 'v'};
    /* JPEG: a start of image, then 20 MB of fill bytes. */
    static const unsigned char soi[] = {0xFF, 0xD8, 0xFF};
    static unsigned char fill[1 << 16];
    memset(fill, 0xFF, sizeof fill);
    write_file("nested.webm", ebml, sizeof ebml, segment, sizeof segment, 17000, NULL, 0);
    write_file("nested.mp4", ftyp, sizeof ftyp, moov, sizeof moov, 10000, NULL, 0);
    write_file("fill.jpg", soi, sizeof soi, fill, sizeof fill, 320, NULL, 0);
    if (mkfifo(path_of("fifo"), 0600) != 0 || mkdir(path_of("dir"), 0700) != 0) {
        fprintf(stderr, "cannot make the FIFO or directory: %s\n", strerror(errno));
        exit(2);
    }
}

static void *crafted_media(void *arg) {
    kimi_message *msg = kimi_message_new("user");
    unsigned char *bytes;
    size_t len;
    (void)arg;
    /* Each is a valid container (so accepted), whose size cannot be read. */
    CHECK_INT(kimi_message_add_video_file(msg, path_of("nested.webm")), KIMI_OK);
    CHECK_INT(kimi_message_add_video_file(msg, path_of("nested.mp4")), KIMI_OK);
    CHECK_INT(kimi_message_add_image_file(msg, path_of("fill.jpg")), KIMI_OK);
    bytes = read_file("nested.webm", &len);
    CHECK_INT(kimi_message_add_video_data(msg, NULL, bytes, len), KIMI_OK);
    free(bytes);
    bytes = read_file("nested.mp4", &len);
    CHECK_INT(kimi_message_add_video_data(msg, "video/mp4", bytes, len), KIMI_OK);
    free(bytes);
    kimi_message_free(msg);
    return NULL;
}

/* Runs `body` on a thread with a 64 KiB stack. */
static void on_small_stack(void *(*body)(void *)) {
    pthread_attr_t attributes;
    pthread_t thread;
    pthread_attr_init(&attributes);
    CHECK_INT(pthread_attr_setstacksize(&attributes, 64 * 1024), 0);
    CHECK_INT(pthread_create(&thread, &attributes, body, NULL), 0);
    pthread_join(thread, NULL);
    pthread_attr_destroy(&attributes);
}

static void test_crafted_media_on_a_small_stack(void) { on_small_stack(crafted_media); }

static void *crafted_uploads(void *arg) {
    kimi_client *client = test_client();
    kimi_file *file = NULL;
    (void)arg;
    CHECK_INT(kimi_file_upload(client, path_of("nested.mp4"), "video", NULL, NULL, &file), KIMI_OK);
    kimi_file_free(file);
    CHECK_INT(kimi_file_upload(client, path_of("nested.webm"), "video", NULL, NULL, &file), KIMI_OK);
    kimi_file_free(file);
    kimi_client_free(client);
    return NULL;
}

static void test_crafted_uploads_on_a_small_stack(void) { on_small_stack(crafted_uploads); }

/* Paths that are not regular files are refused at once, naming what they
 * are: a FIFO nobody writes to would block an open or read forever, and
 * /dev/zero would never end. */
static void test_special_files_are_refused_at_once(void) {
    kimi_message *msg = kimi_message_new("user");
    kimi_client *client = test_client();
    kimi_file *file = (kimi_file *)1;
    CHECK_INT(kimi_message_add_image_file(msg, path_of("fifo")), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "is a FIFO, not a regular file");
    CHECK_INT(kimi_message_add_video_file(msg, "/dev/zero"), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "is a character device, not a regular file");
    CHECK_INT(kimi_message_add_image_file(msg, path_of("dir")), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "is a directory, not a regular file");
    CHECK_INT(kimi_file_upload(client, path_of("fifo"), "file-extract", NULL, NULL, &file), KIMI_E_INVALID_ARGUMENT);
    CHECK(file == NULL);
    CHECK_CONTAINS(kimi_error_message(), "is a FIFO, not a regular file");
    CHECK_INT(kimi_file_upload(client, "/dev/zero", "file-extract", NULL, NULL, &file), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "not a regular file");
    kimi_message_free(msg);
    kimi_client_free(client);
}

int main(void) {
    snprintf(dir, sizeof dir, "/tmp/kimi-hostile-files-XXXXXX");
    if (!mkdtemp(dir)) return 2;
    make_files();
    RUN(test_crafted_media_on_a_small_stack);
    RUN(test_crafted_uploads_on_a_small_stack);
    RUN(test_special_files_are_refused_at_once);
    remove(path_of("nested.webm"));
    remove(path_of("nested.mp4"));
    remove(path_of("fill.jpg"));
    remove(path_of("fifo"));
    rmdir(path_of("dir"));
    rmdir(dir);
    return harness_finish();
}
