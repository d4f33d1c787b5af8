/* The floor for a minimal program: the same request as examples/hello, made
 * with libcurl alone (no JSON handling), for comparing peak RSS. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>

static size_t discard(char *data, size_t size, size_t count, void *user_data) {
    (void)data;
    (void)user_data;
    return size * count;
}

int main(void) {
    const char *base = getenv("KIMI_BASE_URL");
    char url[512];
    struct curl_slist *headers = NULL;
    CURL *curl;
    CURLcode result;
    snprintf(url, sizeof url, "%s/chat/completions", base ? base : "https://api.moonshot.ai/v1");
    curl_global_init(CURL_GLOBAL_DEFAULT);
    curl = curl_easy_init();
    headers = curl_slist_append(headers, "Authorization: Bearer sk-bench");
    headers = curl_slist_append(headers, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS,
                     "{\"model\":\"kimi-k2.6\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}");
    result = curl_easy_perform(curl);
    curl_easy_cleanup(curl);
    curl_slist_free_all(headers);
    curl_global_cleanup();
    return result == CURLE_OK ? 0 : 1;
}
