/* Images, video, the Files API, token estimates, models and balance,
 * against the mock. Sample files come from Tests/media/make_samples.py
 * (directory in KIMI_SAMPLES). */
#include "harness.h"

#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>

static const char *samples(void) {
    const char *dir = getenv("KIMI_SAMPLES");
    return dir ? dir : "build/samples";
}

static const char *sample(const char *name) {
    static char path[1024];
    snprintf(path, sizeof path, "%s/%s", samples(), name);
    return path;
}

/* Reads a sample into `buf`; returns its size. */
static size_t read_sample(const char *name, unsigned char *buf, size_t cap) {
    FILE *f = fopen(sample(name), "rb");
    size_t n = 0;
    if (f) {
        n = fread(buf, 1, cap, f);
        fclose(f);
    }
    return n;
}

/* The mock's digest of what it received: 64-bit FNV-1a. */
static uint64_t fnv1a(const unsigned char *p, size_t n) {
    uint64_t h = 0xcbf29ce484222325ULL;
    size_t i;
    for (i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* "<kind> <mime> <len> bytes fnv1a=<hex>": how the mock describes media it decoded. */
static void describe(char *out, size_t cap, const char *kind, const char *mime, const unsigned char *p, size_t n) {
    snprintf(out, cap, "[%s %s %zu bytes fnv1a=%016llx]", kind, mime, n, (unsigned long long)fnv1a(p, n));
}

static kimi_status ask(kimi_client *client, kimi_message *msg, kimi_chat_response **resp) {
    kimi_chat_request *req = kimi_chat_request_new(NULL);
    kimi_status status;
    kimi_chat_request_append_message(req, msg);
    status = kimi_chat_create(client, req, resp);
    kimi_chat_request_free(req);
    return status;
}

static void test_every_format_round_trips(void) {
    struct {
        const char *name, *mime, *kind;
    } cases[] = {{"image.png", "image/png", "image"},    {"image.gif", "image/gif", "image"},
                 {"image.webp", "image/webp", "image"},  {"image.jpg", "image/jpeg", "image"},
                 {"video.mp4", "video/mp4", "video"},    {"video.mov", "video/mov", "video"},
                 {"video.3gp", "video/3gpp", "video"},   {"video.mpg", "video/mpeg", "video"},
                 {"video.ts", "video/mpeg", "video"},    {"video.avi", "video/avi", "video"},
                 {"video.flv", "video/x-flv", "video"},  {"video.webm", "video/webm", "video"},
                 {"video.wmv", "video/wmv", "video"}};
    kimi_client *client = test_client();
    static unsigned char buf[1 << 16];
    size_t i;
    for (i = 0; i < sizeof cases / sizeof *cases; i++) {
        int image = strcmp(cases[i].kind, "image") == 0;
        size_t n = read_sample(cases[i].name, buf, sizeof buf);
        char expected[256];
        int from;
        describe(expected, sizeof expected, cases[i].kind, cases[i].mime, buf, n);
        for (from = 0; from < 2; from++) { /* from a file, then from memory */
            kimi_message *msg = kimi_message_new("user");
            kimi_chat_response *resp = NULL;
            kimi_status added;
            kimi_message_add_text(msg, "What is this?");
            if (from == 0)
                added = image ? kimi_message_add_image_file(msg, sample(cases[i].name))
                              : kimi_message_add_video_file(msg, sample(cases[i].name));
            else
                added = image ? kimi_message_add_image_data(msg, NULL, buf, n) : kimi_message_add_video_data(msg, NULL, buf, n);
            CHECK_INT(added, KIMI_OK);
            CHECK_INT(ask(client, msg, &resp), KIMI_OK);
            CHECK_CONTAINS(kimi_chat_response_content(resp, NULL), expected); /* byte for byte */
            kimi_chat_response_free(resp);
            kimi_message_free(msg);
        }
    }
    kimi_client_free(client);
}

static void test_mislabelled_file_is_sent_with_the_right_type(void) {
    kimi_client *client = test_client();
    kimi_message *msg = kimi_message_new("user");
    kimi_chat_response *resp = NULL;
    static unsigned char buf[4096];
    size_t n = read_sample("png-named.jpg", buf, sizeof buf);
    char expected[256];
    describe(expected, sizeof expected, "image", "image/png", buf, n);
    CHECK_INT(kimi_message_add_image_file(msg, sample("png-named.jpg")), KIMI_OK);
    CHECK_INT(ask(client, msg, &resp), KIMI_OK);
    CHECK_CONTAINS(kimi_chat_response_content(resp, NULL), expected);
    kimi_chat_response_free(resp);
    kimi_message_free(msg);
    kimi_client_free(client);
}

static void test_refused_media(void) {
    kimi_message *msg = kimi_message_new("user");
    static unsigned char png[4096];
    size_t n = read_sample("image.png", png, sizeof png);
    CHECK_INT(kimi_message_add_video_file(msg, sample("video.mkv")), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "video.mkv\", not a video Kimi accepts");
    CHECK_CONTAINS(kimi_error_message(), "Matroska");
    CHECK_INT(kimi_message_add_image_file(msg, sample("document.pdf")), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "found a PDF document");
    CHECK_INT(kimi_message_add_image_file(msg, sample("empty.png")), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "empty.png\" is empty");
    CHECK_INT(kimi_message_add_image_file(msg, sample("missing.png")), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "missing.png\": No such file or directory");
    CHECK_INT(kimi_message_add_image_file(msg, sample("image.heic")), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "HEIF");
    CHECK_INT(kimi_message_add_image_file(msg, sample("video.mp4")), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "add it as a video (kimi_message_add_video_file, _data or _url)");
    CHECK_INT(kimi_message_add_image_data(msg, "image/jpeg", png, n), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "image/jpeg was given but found a PNG image (image/png) in the bytes");
    CHECK_INT(kimi_message_add_image_data(msg, "image/tiff", png, n), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_message_add_image_data(msg, NULL, png, 0), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_message_add_image_data(msg, NULL, NULL, 10), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_message_add_image_file(NULL, sample("image.png")), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_message_add_image_url(msg, "ftp://example.com/a.png"), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_message_add_image_url(msg, "data:video/mp4;base64,AAAA"), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "must have a image/ type");
    CHECK_INT(kimi_message_add_image_url(msg, "data:image/png,raw"), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_message_add_video_url(msg, "ms://"), KIMI_E_INVALID_ARGUMENT);
    kimi_message_free(msg);
}

static void test_urls(void) {
    kimi_client *client = test_client();
    kimi_message *msg = kimi_message_new("user");
    kimi_chat_response *resp = NULL;
    kimi_client_options *opts;
    kimi_client *other;
    /* Web URLs: refused before sending, with the way out in the message. */
    CHECK_INT(kimi_message_add_image_url(msg, "https://example.com/cat.png"), KIMI_OK);
    CHECK_INT(ask(client, msg, &resp), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "messages[0].content[0].image_url: Kimi does not accept http(s) image URLs");
    CHECK_CONTAINS(kimi_error_message(), "kimi_file_upload");
    /* With Kimi's rules off the URL goes out (and this mock refuses it as Kimi would). */
    opts = test_options();
    kimi_client_options_set_kimi_rules(opts, 0);
    other = test_client_from(opts);
    CHECK_INT(ask(other, msg, &resp), KIMI_E_API);
    CHECK_CONTAINS(kimi_error_message(), "unsupported image url");
    kimi_client_free(other);
    kimi_message_free(msg);

    /* A data URI passes through as written. */
    msg = kimi_message_new("user");
    CHECK_INT(kimi_message_add_image_url(msg, "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAICRAEAOw=="), KIMI_OK);
    CHECK_INT(ask(client, msg, &resp), KIMI_OK);
    CHECK_CONTAINS(kimi_chat_response_content(resp, NULL), "[image image/gif 43 bytes");
    kimi_chat_response_free(resp);
    kimi_message_free(msg);
    kimi_client_free(client);
}

struct progress {
    uint64_t last_sent, total;
    int calls, stop_after;
};

static int on_progress(uint64_t sent, uint64_t total, void *user_data) {
    struct progress *p = user_data;
    p->calls++;
    p->last_sent = sent;
    p->total = total;
    return p->stop_after && p->calls >= p->stop_after;
}

static void test_files_api(void) {
    kimi_client *client = test_client();
    kimi_file *file = NULL, *again = NULL;
    kimi_file_list *list = NULL;
    struct progress p = {0, 0, 0, 0};
    char *text = NULL;
    size_t len = 0, i;
    int found = 0;
    static unsigned char buf[1 << 16];
    size_t n = read_sample("video.mp4", buf, sizeof buf);

    /* A video uploaded from disk, with progress. */
    CHECK_INT(kimi_file_upload(client, sample("video.mp4"), "video", on_progress, &p, &file), KIMI_OK);
    CHECK(p.calls > 0);
    CHECK_INT(kimi_file_bytes(file), (long long)n);
    CHECK_STR(kimi_file_filename(file), "video.mp4");
    CHECK_STR(kimi_file_purpose(file), "video");
    CHECK_STR(kimi_file_status(file), "ok");
    CHECK(strncmp(kimi_file_id(file), "file-", 5) == 0);
    CHECK(kimi_file_created_at(file) > 0);
    CHECK_CONTAINS(kimi_file_json(file, NULL), "\"object\":\"file\"");

    /* Referenced as ms://<id> in a chat. */
    {
        kimi_message *msg = kimi_message_new("user");
        kimi_chat_response *resp = NULL;
        char url[128], expected[256];
        snprintf(url, sizeof url, "ms://%s", kimi_file_id(file));
        CHECK_INT(kimi_message_add_video_url(msg, url), KIMI_OK);
        CHECK_INT(ask(client, msg, &resp), KIMI_OK);
        snprintf(expected, sizeof expected, "[video %s video/mp4 %zu bytes fnv1a=%016llx]", url, n,
                 (unsigned long long)fnv1a(buf, n));
        CHECK_CONTAINS(kimi_chat_response_content(resp, NULL), expected);
        kimi_chat_response_free(resp);
        kimi_message_free(msg);
    }

    CHECK_INT(kimi_file_retrieve(client, kimi_file_id(file), &again), KIMI_OK);
    CHECK_STR(kimi_file_id(again), kimi_file_id(file));
    CHECK_INT(kimi_file_bytes(again), (long long)n);
    kimi_file_free(again);

    CHECK_INT(kimi_files_list(client, &list), KIMI_OK);
    for (i = 0; i < kimi_file_list_count(list); i++)
        if (strcmp(kimi_file_id(kimi_file_list_get(list, i)), kimi_file_id(file)) == 0) found = 1;
    CHECK(found);
    CHECK(kimi_file_list_get(list, kimi_file_list_count(list)) == NULL);
    kimi_file_list_free(list);

    /* file-extract from memory, then its extracted text. */
    {
        const char doc[] = "Kimi K2.6 has a 256K context window.\nIt reasons before it answers.\n";
        kimi_file *extract = NULL;
        CHECK_INT(kimi_file_upload_data(client, "notes.txt", doc, sizeof doc - 1, "file-extract", NULL, NULL, &extract), KIMI_OK);
        CHECK_INT(kimi_file_content(client, kimi_file_id(extract), &text, &len), KIMI_OK);
        CHECK_STR(text, doc);
        CHECK_INT(len, sizeof doc - 1);
        kimi_string_free(text);
        CHECK_INT(kimi_file_delete(client, kimi_file_id(extract)), KIMI_OK);
        kimi_file_free(extract);
    }

    CHECK_INT(kimi_file_delete(client, kimi_file_id(file)), KIMI_OK);
    CHECK_INT(kimi_file_retrieve(client, kimi_file_id(file), &again), KIMI_E_API);
    CHECK_INT(kimi_error_http_status(), 404);
    CHECK(again == NULL);
    kimi_file_free(file);
    kimi_file_free(NULL);
    kimi_file_list_free(NULL);
    kimi_client_free(client);
}

static void test_upload_progress_can_cancel(void) {
    kimi_client *client = test_client();
    kimi_file *file = (kimi_file *)1;
    struct progress p = {0, 0, 0, 1};
    const char *path = "/tmp/kimi-test-upload.bin";
    FILE *f = fopen(path, "wb");
    static char block[1 << 16];
    int i;
    memset(block, 'x', sizeof block);
    for (i = 0; i < 64; i++) fwrite(block, 1, sizeof block, f); /* 4 MiB */
    fclose(f);
    CHECK_INT(kimi_file_upload(client, path, "file-extract", on_progress, &p, &file), KIMI_E_ABORTED);
    CHECK(file == NULL);
    CHECK_CONTAINS(kimi_error_message(), "progress callback");
    p.stop_after = 0;
    p.calls = 0;
    CHECK_INT(kimi_file_upload(client, path, "file-extract", on_progress, &p, &file), KIMI_OK);
    CHECK_INT(p.total, 4 << 20 > 0 ? (long long)p.total : 0); /* curl reports the multipart size */
    CHECK(p.total >= (uint64_t)(4 << 20));
    CHECK_INT(p.last_sent, (long long)p.total);
    CHECK_INT(kimi_file_bytes(file), 4 << 20);
    kimi_file_delete(client, kimi_file_id(file));
    kimi_file_free(file);
    remove(path);
    kimi_client_free(client);
}

static void test_upload_refusals(void) {
    kimi_client *client = test_client();
    kimi_file *file = NULL;
    CHECK_INT(kimi_file_upload(client, sample("image.png"), "avatar", NULL, NULL, &file), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "purpose: \"avatar\" is not one of file-extract, image, video, batch");
    CHECK_INT(kimi_file_upload(client, sample("document.pdf"), "image", NULL, NULL, &file), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "found a PDF document");
    CHECK_INT(kimi_file_upload(client, sample("empty.png"), "file-extract", NULL, NULL, &file), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_file_upload(client, sample("missing"), "file-extract", NULL, NULL, &file), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_file_upload_data(client, "a/b.txt", "x", 1, "file-extract", NULL, NULL, &file), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_file_retrieve(client, "../models", &file), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "is not an id");
    CHECK_INT(kimi_file_content(client, "file-x", NULL, NULL), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_file_delete(client, "file-does-not-exist"), KIMI_E_API);
    CHECK_INT(kimi_error_http_status(), 404);
    kimi_client_free(client);
}

/* A sparse 80 MB "video": 107 MB as base64, over Kimi's 100 MB body limit. */
static const char *big_video(void) {
    static const char *path = "/tmp/kimi-test-big.mp4";
    static unsigned char head[4096];
    size_t n = read_sample("video.mp4", head, sizeof head);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (write(fd, head, n) != (ssize_t)n || ftruncate(fd, 80L << 20) != 0) fprintf(stderr, "cannot make %s\n", path);
    close(fd);
    return path;
}

static void test_the_100_mb_body_limit(void) {
    const char *path = big_video();
    kimi_client *client = test_client();
    kimi_client_options *opts;
    kimi_message *msg = kimi_message_new("user");
    kimi_chat_response *resp = NULL;
    kimi_message_add_text(msg, "Summarize this video.");
    CHECK_INT(kimi_message_add_video_file(msg, path), KIMI_OK);
    CHECK_INT(ask(client, msg, &resp), KIMI_E_INVALID_ARGUMENT); /* refused before sending */
    CHECK_CONTAINS(kimi_error_message(), "over Kimi's 100 MB limit; its largest part is messages[0].content[1]");
    CHECK_CONTAINS(kimi_error_message(), "kimi-test-big.mp4");
    CHECK_CONTAINS(kimi_error_message(), "kimi_client_options_set_auto_upload");
    kimi_client_free(client);

    /* With auto upload on, the video goes through the Files API instead. */
    opts = test_options();
    kimi_client_options_set_auto_upload(opts, 1);
    client = test_client_from(opts);
    CHECK_INT(ask(client, msg, &resp), KIMI_OK);
    CHECK_CONTAINS(kimi_chat_response_content(resp, NULL), "[video ms://file-");
    CHECK_CONTAINS(kimi_chat_response_content(resp, NULL), " video/mp4 83886080 bytes");
    kimi_chat_response_free(resp);
    kimi_message_free(msg);

    /* Media marked for reuse is uploaded even when small, once. */
    msg = kimi_message_new("user");
    kimi_message_add_image_file(msg, sample("image.png"));
    kimi_message_set_media_reuse(msg, 1);
    CHECK_INT(ask(client, msg, &resp), KIMI_OK);
    CHECK_CONTAINS(kimi_chat_response_content(resp, NULL), "[image ms://file-");
    kimi_chat_response_free(resp);
    kimi_message_free(msg);
    kimi_client_free(client);
    remove(path);
}

static void test_to_json_holds_the_media(void) {
    kimi_chat_request *req = kimi_chat_request_new(NULL);
    kimi_message *msg = kimi_message_new("user");
    char *json;
    kimi_message_add_image_file(msg, sample("image.gif"));
    kimi_chat_request_append_message(req, msg);
    json = kimi_chat_request_to_json(req);
    CHECK_STR(json, "{\"model\":\"kimi-k2.6\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/gif;base64,R0lGODlhAQABAIAAAAD///8h+QQBAAAAACwAAAAAAQABAAACAkQBADs=\"}}]}]}");
    kimi_string_free(json);
    kimi_message_free(msg);
    kimi_chat_request_free(req);
}

static void test_estimate_models_balance(void) {
    kimi_client *client = test_client();
    kimi_chat_request *req = user_request(NULL, "How many tokens is this?");
    kimi_message *msg = kimi_message_new("user");
    kimi_model_list *models = NULL;
    int64_t tokens = 0, with_image = 0;
    double available = 0, voucher = 0, cash = 0;
    size_t i;
    int k26 = -1;
    CHECK_INT(kimi_chat_estimate_tokens(client, req, &tokens), KIMI_OK);
    CHECK_INT(tokens, 5 + 3);
    kimi_message_add_image_file(msg, sample("image.png"));
    kimi_chat_request_append_message(req, msg);
    CHECK_INT(kimi_chat_estimate_tokens(client, req, &with_image), KIMI_OK);
    CHECK_INT(with_image, tokens + 3 + 85); /* the mock prices an image at 85 tokens */
    CHECK_INT(kimi_chat_estimate_tokens(client, req, NULL), KIMI_E_INVALID_ARGUMENT);

    CHECK_INT(kimi_models_list(client, &models), KIMI_OK);
    CHECK(kimi_model_list_count(models) >= 2);
    for (i = 0; i < kimi_model_list_count(models); i++)
        if (strcmp(kimi_model_list_id(models, i), "kimi-k2.6") == 0) k26 = (int)i;
    CHECK(k26 >= 0);
    CHECK_INT(kimi_model_list_context_length(models, (size_t)k26), 262144);
    CHECK_INT(kimi_model_list_supports_image_in(models, (size_t)k26), 1);
    CHECK_INT(kimi_model_list_supports_video_in(models, (size_t)k26), 1);
    CHECK_INT(kimi_model_list_supports_reasoning(models, (size_t)k26), 1);
    CHECK_STR(kimi_model_list_id(models, 999), "");
    kimi_model_list_free(models);

    CHECK_INT(kimi_balance_get(client, &available, &voucher, &cash), KIMI_OK);
    CHECK(available > 49.58 && available < 49.59);
    CHECK(voucher > 46.58 && voucher < 46.59);
    CHECK(cash > 3.0 && cash < 3.01);
    CHECK_INT(kimi_balance_get(client, NULL, NULL, NULL), KIMI_OK);
    kimi_message_free(msg);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

int main(void) {
    RUN(test_every_format_round_trips);
    RUN(test_mislabelled_file_is_sent_with_the_right_type);
    RUN(test_refused_media);
    RUN(test_urls);
    RUN(test_files_api);
    RUN(test_upload_progress_can_cancel);
    RUN(test_upload_refusals);
    RUN(test_the_100_mb_body_limit);
    RUN(test_to_json_holds_the_media);
    RUN(test_estimate_models_balance);
    return harness_finish();
}
