/*
 * kimi.h: the C API of libkimi, a client for Moonshot's Kimi K2.6 chat API.
 *
 * This header is the reference. Every function below states who owns each
 * pointer, what NULL does, whether it may be called from several threads,
 * and which statuses it returns.
 *
 * API conventions
 * ---------------
 * Handles      Every object is an opaque `kimi_x` made by `kimi_x_new` (or a
 *              function with a `kimi_x **out` parameter) and released by
 *              `kimi_x_free`, exactly once. `kimi_x_free(NULL)` does nothing.
 * Arguments    The object a function works on comes first, then inputs, then
 *              outputs (`out` for a single one, `*_out` otherwise). Callbacks
 *              are followed by their `void *user_data`, which is passed
 *              through untouched.
 * Inputs       Strings are NUL-terminated UTF-8 and are copied before the
 *              function returns; so are byte buffers. Invalid UTF-8 is
 *              refused with KIMI_E_INVALID_ARGUMENT.
 * Outputs      `const char *` results are borrowed: they stay valid until the
 *              object they came from is freed (or, for stream events, until
 *              the callback returns). They are NUL-terminated; functions that
 *              also take `size_t *len_out` store the length there when it is
 *              not NULL. `char *` results are owned by the caller and are
 *              released with kimi_string_free(), never free().
 * Accessors    Functions that read a field never fail: for a NULL handle or
 *              an index out of range they return "" (strings), 0 (counts) or
 *              -1 (token counts). String accessors never return NULL.
 * Servers      Everything a server sends is treated as hostile. A number
 *              that is not a count (negative, fractional, written with an
 *              exponent, or over 2^53) reads as absent: -1 for token counts
 *              and context lengths, 0 for sizes, counts and timestamps. A
 *              number too large for any integer or double reads as absent
 *              too, never failing the document it is in. JSON nested deeper
 *              than 64 levels is refused (KIMI_E_PARSE; from a caller,
 *              KIMI_E_INVALID_ARGUMENT), duplicate keys keep the last value,
 *              response headers over 256 KiB (or one header line over
 *              libcurl's 100 KiB) are KIMI_E_TOO_LARGE, an answer that is not
 *              HTTP (a NUL in a header) or has a Content-Encoding nobody
 *              asked for is KIMI_E_PARSE, and so is a streamed chunk that
 *              makes more than 65,535 events (as many as a record's parts;
 *              Kimi's make a few): its stream fails, in every read mode.
 * Outside text Every string a server sends, other than the model's own text
 *              (content, reasoning, tool-call arguments, which are delivered
 *              byte for byte), passes one gate before any accessor, error
 *              field or log line hands it out: the API key is removed (whole,
 *              any piece of 8 or more characters, JSON-escaped) and so are
 *              control characters (C0, DEL, C1; one-line fields such as ids,
 *              names, types, codes and header values hold no newline or tab).
 *              JSON exports carry DEL and C1 as \u escapes.
 * Errors       Functions that can fail return a kimi_status: KIMI_OK (0) or a
 *              positive KIMI_E_* code. Details of the last failure on the
 *              calling thread are read with kimi_error_message() and friends;
 *              they stay valid until the next failing call on that thread.
 *              Constructors that return a pointer return NULL on failure and
 *              set the same details.
 * Threads      A kimi_client is immutable once created and may be used by any
 *              number of threads at once. Requests, messages, options and
 *              responses belong to one thread at a time; a `const` handle may
 *              be read by several threads at once.
 * Signals      libkimi installs no signal handler, never changes a signal's
 *              disposition and never raises SIGPIPE in the host, whatever
 *              SIGPIPE's disposition: its curl handles, a multi handle's own
 *              included, keep CURLOPT_NOSIGNAL, and a write to a descriptor
 *              the caller gave (kimi_file_content_to_fd) or to stderr (the
 *              log) whose reader is gone fails with EPIPE instead.
 * Versions     KIMI_VERSION_NUMBER is MAJOR*1000000 + MINOR*1000 + PATCH.
 *              While the major version is 0 the SONAME is libkimi.so.0 and
 *              any ABI break also bumps the minor version. Functions are only
 *              ever added; a changed behaviour gets a new name (`_v2`).
 * Tags         Right above each declaration, below its prose, a comment
 *              opening with "@" says in words tools read (tools/kimi_header.py;
 *              the Python bindings and man pages are made from them):
 *              of(T)       the object it belongs to: the handle it works on
 *                          or makes (`library`, `last_error`: neither);
 *              frees(p)    it frees `p`;
 *              blocks      it may wait: for the network, a timer, another
 *                          thread, or file I/O of any size;
 *              accessor    it reads a field (see Accessors: never fails,
 *                          never blocks, its object may be NULL);
 *              returns(k)  the returned pointer is `owned` by the caller,
 *                          `borrowed` (valid as the prose says) or `static`;
 *              out(p: k)   `p` receives an `owned` handle or string, a
 *                          `borrowed` one, or a `scalar`;
 *              null(p)     `p` may be NULL (user data is never read, so it
 *                          always may).
 */
#ifndef KIMI_H
#define KIMI_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define KIMI_API extern __attribute__((visibility("default")))
#else
#define KIMI_API extern
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Version                                                                  */
/* ------------------------------------------------------------------------ */

#define KIMI_VERSION_MAJOR 0
#define KIMI_VERSION_MINOR 3
#define KIMI_VERSION_PATCH 0
#define KIMI_VERSION "0.3.0"
#define KIMI_VERSION_NUMBER \
    (KIMI_VERSION_MAJOR * 1000000 + KIMI_VERSION_MINOR * 1000 + KIMI_VERSION_PATCH)
/** True when the header is at least version x.y.z. */
#define KIMI_VERSION_AT_LEAST(x, y, z) \
    (KIMI_VERSION_NUMBER >= ((x) * 1000000 + (y) * 1000 + (z)))

/** The library's version, e.g. "0.3.0". A static string. Thread-safe. */
/*@ of(library) returns(static) */
KIMI_API const char *kimi_version(void);

/**
 * The library's KIMI_VERSION_NUMBER. Compare it with the header's to detect
 * a mismatch: `assert(kimi_version_number() == KIMI_VERSION_NUMBER)`.
 * Thread-safe.
 */
/*@ of(library) */
KIMI_API int kimi_version_number(void);

/* ------------------------------------------------------------------------ */
/* Status codes and the last error                                          */
/* ------------------------------------------------------------------------ */

/** KIMI_OK or one of the KIMI_E_* codes. The values never change. */
typedef int kimi_status;

enum {
    KIMI_OK = 0,
    /** A NULL pointer, invalid UTF-8 or JSON, or a value the API refuses;
        detected before anything is sent. The message names the argument. */
    KIMI_E_INVALID_ARGUMENT = 1,
    /** Memory could not be allocated. */
    KIMI_E_NOMEM = 2,
    /** The connection failed: DNS, connect, TLS, or a broken transfer. */
    KIMI_E_TRANSPORT = 3,
    /** The connect, whole-request or idle timeout passed, in any call
        style; a stream keeps what arrived. */
    KIMI_E_TIMEOUT = 4,
    /** A non-2xx answer without an API error body (a proxy's HTML page). */
    KIMI_E_HTTP = 5,
    /** The API answered with an error object, before or during a stream. */
    KIMI_E_API = 6,
    /** The answer was not the JSON or event stream expected. */
    KIMI_E_PARSE = 7,
    /** A callback returned non-zero, or a cancel token was cancelled. */
    KIMI_E_ABORTED = 8,
    /** The stream ended before `data: [DONE]`; the partial response is kept. */
    KIMI_E_INCOMPLETE = 9,
    /** A bug in libkimi. Please report it. */
    KIMI_E_INTERNAL = 10,
    /** A response body, an event-stream line, a stream's accumulated
        answer, or the response headers (256 KiB) went over the maximum. */
    KIMI_E_TOO_LARGE = 11,
    /** kimi_conversation_run made max_steps model calls and the model still
        asks for tools; the history is ready for another run. */
    KIMI_E_STEP_LIMIT = 12,
    /** The task is still running (kimi_task_wait timed out). */
    KIMI_E_PENDING = 13
};

/** Static English text for a status ("invalid argument"). Never NULL. */
/*@ of(library) returns(static) */
KIMI_API const char *kimi_status_str(kimi_status status);

/*
 * The last error on the calling thread. Every function returning a
 * kimi_status other than KIMI_OK (or a constructor returning NULL) records
 * it; a call returning KIMI_OK clears it. The strings are owned by the
 * library, never NULL ("" when not applicable), and valid until the next
 * call of a kimi_* function that can fail, on the same thread. Every text
 * here passed the gate for outside text (see "Outside text" above): no API
 * key, no control character (the body keeps its newlines and tabs).
 */

/** The status of the last failure, or KIMI_OK. */
/*@ of(last_error) */
KIMI_API kimi_status kimi_error_status(void);
/** One line saying what failed and why, naming the function and the
    argument or field first, and ending with what to call about it in
    parentheses when there is something (e.g. "(kimi_client_options_set_api_key)"). */
/*@ of(last_error) accessor returns(borrowed) */
KIMI_API const char *kimi_error_message(void);
/** The same failure for bindings: the message without the function's name
    and without the C hint, in the library's own words. */
/*@ of(last_error) accessor returns(borrowed) */
KIMI_API const char *kimi_error_detail(void);
/** What the caller can do, as a stable name bindings render in their own
    API's words: "api_key", "max_event_bytes", "max_response_bytes",
    "upload_image", "upload_video", "image_from_file", "video_from_file",
    "add_as_image", "add_as_video", "reasoning_content", "json_schema",
    "stream_argument", "tool_choice_function", "tool_message", "batch_wait",
    "disable_thinking", "max_completion_tokens", "use_max_completion_tokens",
    "fit_max_completion_tokens"; "" when there is no hint. */
/*@ of(last_error) accessor returns(borrowed) */
KIMI_API const char *kimi_error_hint(void);
/** The HTTP status of the failed answer, 0 when there was no answer. */
/*@ of(last_error) accessor */
KIMI_API int kimi_error_http_status(void);
/** The API's `error.type`, e.g. "invalid_request_error". */
/*@ of(last_error) accessor returns(borrowed) */
KIMI_API const char *kimi_error_type(void);
/** The API's `error.code` as text (Kimi sends a string or an integer). */
/*@ of(last_error) accessor returns(borrowed) */
KIMI_API const char *kimi_error_code(void);
/** The request id of the failed answer, from the body or the headers. */
/*@ of(last_error) accessor returns(borrowed) */
KIMI_API const char *kimi_error_request_id(void);
/** The wait the server asked for, in ms (Retry-After as seconds or an
    HTTP-date, read by libcurl; retry-after-ms; or "try again after N
    seconds"), or -1. A wait too long to represent is INT64_MAX. */
/*@ of(last_error) accessor */
KIMI_API int64_t kimi_error_retry_after_ms(void);
/** The start (up to 4 KiB) of the error answer's body, or "". The API key is
    removed before the body is cut, whole, in pieces of 8 or more characters,
    and written with JSON escapes. */
/*@ of(last_error) accessor returns(borrowed) */
KIMI_API const char *kimi_error_body(void);
/** The error answer's header `name` (any case; Retry-After, rate-limit
    headers, say), or "" when absent, for a NULL name, or when the failure
    had no answer. The API key is removed from header values. */
/*@ of(last_error) accessor returns(borrowed) null(name) */
KIMI_API const char *kimi_error_header(const char *name);
/** The number of headers of the error answer (0 when there was none), and
    header `i`'s name (lower-cased) and value, in the order they came; ""
    when `i` is out of range. */
/*@ of(last_error) accessor */
KIMI_API size_t kimi_error_header_count(void);
/*@ of(last_error) accessor returns(borrowed) */
KIMI_API const char *kimi_error_header_name(size_t i);
/*@ of(last_error) accessor returns(borrowed) */
KIMI_API const char *kimi_error_header_value(size_t i);
/** Resets the last error of the calling thread to KIMI_OK. */
/*@ of(last_error) */
KIMI_API void kimi_error_clear(void);

/** Kinds of failure, for deciding what to do next. Classified from the API's
    `error.type` and message first, the HTTP status only when they are silent. */
enum {
    KIMI_KIND_NONE = 0,
    /** Too many requests or tokens for now: wait kimi_error_retry_after_ms()
        (parsed from "try again after N seconds" when sent), then retry. */
    KIMI_KIND_RATE_LIMITED = 1,
    /** The engine is overloaded: retry with backoff. */
    KIMI_KIND_OVERLOADED = 2,
    /** The balance or plan quota is exhausted (403 or 429): retrying cannot
        help. Never reported as a rate limit. */
    KIMI_KIND_QUOTA_EXCEEDED = 3,
    /** The key was refused; the message hints at the other region's platform. */
    KIMI_KIND_AUTH = 4,
    KIMI_KIND_PERMISSION = 5,
    KIMI_KIND_NOT_FOUND = 6,
    /** The request is invalid (refused locally or by the API): fix it. */
    KIMI_KIND_INVALID_REQUEST = 7,
    /** Refused by content moderation. */
    KIMI_KIND_CONTENT_FILTER = 8,
    /** A server-side failure (5xx, server_error). */
    KIMI_KIND_SERVER = 9,
    KIMI_KIND_TRANSPORT = 10,
    KIMI_KIND_TIMEOUT = 11,
    KIMI_KIND_ABORTED = 12,
    /** A stream without [DONE], or a tool loop at its step limit. */
    KIMI_KIND_INCOMPLETE = 13,
    /** The answer could not be read (malformed or too large). */
    KIMI_KIND_BAD_RESPONSE = 14,
    KIMI_KIND_INTERNAL = 15
};

/** The KIMI_KIND_* of the calling thread's last failure, KIMI_KIND_NONE if none. */
/*@ of(last_error) accessor */
KIMI_API int kimi_error_kind(void);

/** Frees a string returned as `char *` by libkimi. NULL does nothing. */
/*@ of(library) frees(string) null(string) */
KIMI_API void kimi_string_free(char *string);

/* ------------------------------------------------------------------------ */
/* Client options                                                           */
/* ------------------------------------------------------------------------ */

typedef struct kimi_client_options kimi_client_options;

/**
 * New options with every value unset. Unset values are taken, when the
 * client is created, from the environment (MOONSHOT_API_KEY, then
 * KIMI_API_KEY; KIMI_BASE_URL) and then from the defaults named below.
 * Returns NULL only when out of memory. Free with kimi_client_options_free.
 */
/*@ of(kimi_client_options) returns(owned) */
KIMI_API kimi_client_options *kimi_client_options_new(void);

/** Frees options. NULL does nothing. */
/*@ of(kimi_client_options) frees(opts) null(opts) */
KIMI_API void kimi_client_options_free(kimi_client_options *opts);

/*
 * Setters copy their arguments. Each returns KIMI_OK, or
 * KIMI_E_INVALID_ARGUMENT for a NULL `opts`, a NULL or invalid string, or a
 * value out of range. Options belong to one thread at a time.
 */

/** The bearer key: printable ASCII without spaces (KIMI_E_INVALID_ARGUMENT
    otherwise, so no CR, LF or NUL can reach a header). Never included in
    any message, log or JSON output, whole or in part. */
/*@ of(kimi_client_options) */
KIMI_API kimi_status kimi_client_options_set_api_key(kimi_client_options *opts, const char *api_key);
/**
 * API root, default "https://api.moonshot.ai/v1" (China:
 * "https://api.moonshot.cn/v1"); a trailing slash is dropped. Parsed by
 * libcurl's URL parser, and refused with KIMI_E_INVALID_ARGUMENT naming the
 * problem (never echoing a password) when it is not http(s), carries
 * credentials ("user:pass@"), a query or a fragment, has a port outside
 * 1..65535 or an unbalanced IPv6 bracket, or contains spaces or control
 * characters. KIMI_BASE_URL follows the same rules when the client is made.
 */
/*@ of(kimi_client_options) */
KIMI_API kimi_status kimi_client_options_set_base_url(kimi_client_options *opts, const char *base_url);
/** Connection set-up limit (DNS, TCP, TLS). Default 10000 ms; 0 = curl's default. */
/*@ of(kimi_client_options) */
KIMI_API kimi_status kimi_client_options_set_connect_timeout_ms(kimi_client_options *opts, uint32_t ms);
/** Limit on a whole request including the full answer. Default 0 = none, so
    long reasoning streams are not cut; use the idle timeout instead. When it
    passes, every call style fails with KIMI_E_TIMEOUT (kind
    KIMI_KIND_TIMEOUT), streams keeping what arrived. */
/*@ of(kimi_client_options) */
KIMI_API kimi_status kimi_client_options_set_timeout_ms(kimi_client_options *opts, uint32_t ms);
/** Longest time without a byte sent or received. Default 600000 ms; 0 = none.
    For a non-streamed request this includes the model's whole thinking time. */
/*@ of(kimi_client_options) */
KIMI_API kimi_status kimi_client_options_set_idle_timeout_ms(kimi_client_options *opts, uint32_t ms);
/** Adds an HTTP header to every request, replacing a header the library
    sends of the same name (any case: Accept, say). Authorization,
    Content-Type, Content-Length, Host and Transfer-Encoding are managed by
    the library and refused; a value with a control character other than tab
    (CR, LF, NUL, ESC, DEL, ...) is refused; an empty value is sent empty.
    Returns KIMI_OK or KIMI_E_INVALID_ARGUMENT naming the argument. */
/*@ of(kimi_client_options) */
KIMI_API kimi_status kimi_client_options_add_header(kimi_client_options *opts, const char *name, const char *value);
/** User-Agent header. Default "libkimi/<version>". */
/*@ of(kimi_client_options) */
KIMI_API kimi_status kimi_client_options_set_user_agent(kimi_client_options *opts, const char *user_agent);
/** PEM file of CA certificates to verify the server with, instead of the
    system's. Verification of the peer's certificate and host name is always
    on; there is no way to turn it off. Redirects are never followed (a 3xx
    answer is KIMI_E_HTTP naming its Location), so the API key is only ever
    sent to the base URL's host. */
/*@ of(kimi_client_options) */
KIMI_API kimi_status kimi_client_options_set_ca_file(kimi_client_options *opts, const char *path);
/** Proxy URL, e.g. "http://proxy:3128" (as curl's CURLOPT_PROXY); refused
    when it holds spaces or control characters. */
/*@ of(kimi_client_options) */
KIMI_API kimi_status kimi_client_options_set_proxy(kimi_client_options *opts, const char *proxy);
/** Largest response body accepted, default 64 MiB; larger gives
    KIMI_E_TOO_LARGE. It also caps the text a stream accumulates (content,
    reasoning and tool arguments), so a stream that never ends cannot take
    all memory. An error answer over it (a 503 page, say) is reported as
    the error answer it is, with its HTTP status, its body cut. */
/*@ of(kimi_client_options) */
KIMI_API kimi_status kimi_client_options_set_max_response_bytes(kimi_client_options *opts, uint64_t bytes);
/** Largest single event-stream line accepted (comments included), default
    16 MiB; a longer one gives KIMI_E_TOO_LARGE with what arrived kept. The
    same limit holds a line of a batch's result file; a file's content,
    handed on in pieces, has none. */
/*@ of(kimi_client_options) */
KIMI_API kimi_status kimi_client_options_set_max_event_bytes(kimi_client_options *opts, uint64_t bytes);
/**
 * Retries, default 2 (at most 100; 0 turns retrying off). A failed call is
 * retried only when another attempt can succeed: Kimi's
 * engine_overloaded_error and rate_limit_reached_error, HTTP 500, 502, 503
 * and 504, and a connection that failed or timed out before any response
 * byte. Never retried: exceeded_current_quota_error (403 or 429), bad keys,
 * permissions, invalid requests, content filters, and a stream after it has
 * started. Each retry is logged at KIMI_LOG_WARN; the final error's message
 * ends with "(after N retries)". A cancel token ends the wait at once.
 * Beside these, libcurl itself sends a request once more, on a new
 * connection, when a kept-alive connection it reused turns out closed before
 * any byte of the answer came (libcurl before 8.16 has no switch for it):
 * also with 0 retries, and not counted in a response's attempts.
 */
/*@ of(kimi_client_options) */
KIMI_API kimi_status kimi_client_options_set_max_retries(kimi_client_options *opts, uint32_t retries);
/** At most `n` requests of this client in flight at once, all threads and
    tasks together (Kimi's tiers cap concurrency); the others wait their
    turn, in order, without failing. A blocking call's wait ends when its
    cancel token fires. Default 0: no cap. */
/*@ of(kimi_client_options) */
KIMI_API kimi_status kimi_client_options_set_max_connections(kimi_client_options *opts, uint32_t n);
/**
 * How long, in microseconds, a busy event loop lets network events gather
 * before it takes them. Tasks (kimi_*_start) of one client share one loop
 * thread; with many streams at once it would otherwise wake for every few
 * tokens, and each wake-up costs a context switch. While two or more
 * transfers of the client run (any tasks' requests, streams, uploads,
 * downloads, also ones still waiting for their server) and the loop's last
 * wake-up was less than `us` ago, it takes the next events once the rest of
 * `us` has passed, all in one batch (every socket ready): a thousand
 * concurrent streams cost about a sixth of the CPU (bench/RESULTS.md), and
 * a token waits at most `us` longer, also the tokens of a stream running
 * beside a slow request. A transfer running alone, the first events after
 * a quiet spell of `us`, new tasks and cancels are never held back;
 * blocking calls do not use the loop. Default 1000 (1 ms);
 * 0 takes every event as it comes. Returns KIMI_OK, or
 * KIMI_E_INVALID_ARGUMENT for a NULL `opts` or `us` over 100000 (100 ms;
 * `opts` is then unchanged). One thread at a time per `opts`.
 */
/*@ of(kimi_client_options) */
KIMI_API kimi_status kimi_client_options_set_coalesce_us(kimi_client_options *opts, uint32_t us);
/**
 * Prices for cost accounting, in US dollars per million tokens: uncached
 * input, cached input, output. Defaults are Kimi K2.6's prices as
 * platform.kimi.ai listed them when they were written in: 0.60, 0.15 and
 * 3.00 (check your account's, and set them here). Returns KIMI_OK, or
 * KIMI_E_INVALID_ARGUMENT for a NULL `opts` or a negative, NaN or infinite
 * price (`opts` is then unchanged). See kimi_chat_response_cost_usd and
 * kimi_client_usage_*. One thread at a time per `opts`.
 */
/*@ of(kimi_client_options) */
KIMI_API kimi_status kimi_client_options_set_pricing(kimi_client_options *opts, double input_usd_per_million,
                                                     double cached_input_usd_per_million,
                                                     double output_usd_per_million);
/**
 * The price of one `$web_search` call in US dollars, default 0.005 (Kimi's
 * fee per successful call, platform.kimi.ai/docs/pricing/tools). Kimi bills
 * a call for each response ending with finish_reason "tool_calls" that
 * calls `$web_search`; see kimi_chat_response_web_search_calls. Returns
 * KIMI_OK, or KIMI_E_INVALID_ARGUMENT for a NULL `opts` or a negative, NaN
 * or infinite price (`opts` is then unchanged). One thread at a time per
 * `opts`.
 */
/*@ of(kimi_client_options) */
KIMI_API kimi_status kimi_client_options_set_web_search_price(kimi_client_options *opts, double usd_per_call);
/**
 * Backoff before retry k (0-based): min(base_ms * 2^k, max_ms), of which a
 * random half is taken off (jitter). Defaults 500 and 8000 ms. When the
 * server names a wait (Retry-After as seconds or an HTTP-date,
 * retry-after-ms, or Kimi's "try again after N seconds"), that wait is used
 * instead, plus up to 10%; a named wait over 60 s is not retried (the
 * error's kimi_error_retry_after_ms has it, saturated at INT64_MAX).
 * KIMI_E_INVALID_ARGUMENT when base_ms > max_ms.
 */
/*@ of(kimi_client_options) */
KIMI_API kimi_status kimi_client_options_set_retry_delay_ms(kimi_client_options *opts, uint32_t base_ms, uint32_t max_ms);
/**
 * Kimi's own rules, on by default. Before anything is sent (create,
 * streams, tasks, conversations, token estimates, batch input lines), a
 * request Kimi would refuse or silently misread fails with
 * KIMI_E_INVALID_ARGUMENT naming the field. The rules judge the body as it
 * will be sent, whatever way each field came in (setters, from_json, the
 * extra JSON). Refused: no messages; http(s) media URLs, and data URIs of
 * types Kimi does not take or whose bytes are another format; the 100 MB
 * request-body and per-file limits; K2.6's fixed sampling values;
 * tool_choice "required" or a function, and `$web_search`, while thinking
 * is on; `thinking.keep` other than "all", with thinking disabled, or on a
 * model without Preserved Thinking; an empty system, user or tool message,
 * an empty part list or an empty Partial Mode prefix (by message index);
 * max_completion_tokens over the model's context window; max_tokens
 * disagreeing with max_completion_tokens (max_tokens alone is sent as
 * max_completion_tokens); a field given twice with different values (a
 * setter or the loaded body, and the extra JSON); MFJS schema problems in
 * strict mode. Request fields Kimi's API reference does not list (OpenAI's
 * "seed", "logprobs", "user", ...) and images over 4K (4096x2160) or video
 * over 2K (2048x1080), read from their headers, get one warn-level log line
 * each per client and are sent as they are. Pass 0 to talk to another
 * OpenAI-compatible server (a gateway that needs OpenAI's fields, say):
 * requests then go out as built, without these checks or lines.
 */
/*@ of(kimi_client_options) */
KIMI_API kimi_status kimi_client_options_set_kimi_rules(kimi_client_options *opts, int enabled);
/** Log levels for kimi_client_options_set_log. */
enum { KIMI_LOG_OFF = 0, KIMI_LOG_ERROR = 1, KIMI_LOG_WARN = 2, KIMI_LOG_INFO = 3, KIMI_LOG_DEBUG = 4 };

/** Receives log lines (one line each, never containing the API key). Called on
    whichever thread logged, possibly several at once. */
typedef void (*kimi_log_cb)(int level, const char *message, void *user_data);

/** Logs lines at `level` or more severe to `cb` (NULL: to stderr). Without
    this, the environment variable KIMI_LOG=error|warn|info|debug logs to
    stderr (any other value but "off" is reported once on stderr and logs
    nothing). KIMI_LOG_OFF turns logging off. */
/*@ of(kimi_client_options) null(cb) */
KIMI_API kimi_status kimi_client_options_set_log(kimi_client_options *opts, int level, kimi_log_cb cb, void *user_data);
/** Off by default. When on, inline media that would push a request body over
    Kimi's 100 MB limit, and media of messages marked with
    kimi_message_set_media_reuse, is uploaded through the Files API (purpose
    "image" or "video") and sent as "ms://<file id>". Uploaded files stay in
    the account (Kimi allows 1,000); delete them with kimi_file_delete. */
/*@ of(kimi_client_options) */
KIMI_API kimi_status kimi_client_options_set_auto_upload(kimi_client_options *opts, int enabled);

/* ------------------------------------------------------------------------ */
/* Client                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct kimi_client kimi_client;

/**
 * Creates a client. `opts` may be NULL for the defaults and environment; it
 * is read, not kept, so it may be freed right after. On success stores the
 * client in `*out` (free with kimi_client_free); on failure stores NULL.
 * Returns KIMI_OK; KIMI_E_INVALID_ARGUMENT for a NULL `out`, a missing API
 * key or a bad base URL; KIMI_E_NOMEM.
 *
 * The client is immutable and thread-safe: share one client between all
 * threads. Its connections are kept alive and reused across calls.
 */
/*@ of(kimi_client) out(out: owned) null(opts) */
KIMI_API kimi_status kimi_client_new(const kimi_client_options *opts, kimi_client **out);

/** Frees a client. No blocking call may be using it. Its running tasks are
    cancelled (each ends with KIMI_E_ABORTED, END callbacks included) and its
    loop thread has ended when this returns; the tasks' handles stay valid
    until freed. NULL does nothing. */
/*@ of(kimi_client) frees(client) blocks null(client) */
KIMI_API void kimi_client_free(kimi_client *client);

/** The client's API root URL without a trailing slash; valid while the client lives. */
/*@ of(kimi_client) accessor returns(borrowed) */
KIMI_API const char *kimi_client_base_url(const kimi_client *client);

/* ------------------------------------------------------------------------ */
/* Call options and client views                                            */
/* ------------------------------------------------------------------------ */

/*
 * Every call can run with settings of its own: a whole-call timeout, an
 * idle timeout, a number of retries, extra headers and query parameters, a
 * cancel token. A chat request carries its own (kimi_chat_request_set_*
 * below); for every other endpoint (files, batches, models, balance, token
 * estimates), make a view of the client with kimi_client_with_options and
 * call through it. A request's settings go over its view's, which go over
 * the client's.
 */
typedef struct kimi_call_options kimi_call_options;
/** A cancel token (see "Cancellation" below). */
typedef struct kimi_cancel_token kimi_cancel_token;

/** Empty call options (every value inherited). NULL only when out of
    memory. Free with kimi_call_options_free. One thread at a time. */
/*@ of(kimi_call_options) returns(owned) */
KIMI_API kimi_call_options *kimi_call_options_new(void);
/** Frees call options. NULL does nothing. */
/*@ of(kimi_call_options) frees(opts) null(opts) */
KIMI_API void kimi_call_options_free(kimi_call_options *opts);
/*
 * Setters copy their arguments and return KIMI_OK, or
 * KIMI_E_INVALID_ARGUMENT for a NULL `opts` or string or a bad value.
 */
/** The whole call's limit, retries and their waits included; 0 = the client's. */
/*@ of(kimi_call_options) */
KIMI_API kimi_status kimi_call_options_set_timeout_ms(kimi_call_options *opts, uint32_t ms);
/** The longest silence of an attempt; 0 = the client's. */
/*@ of(kimi_call_options) */
KIMI_API kimi_status kimi_call_options_set_idle_timeout_ms(kimi_call_options *opts, uint32_t ms);
/** Retries, 0 to 100; -1 = the client's. */
/*@ of(kimi_call_options) */
KIMI_API kimi_status kimi_call_options_set_max_retries(kimi_call_options *opts, int32_t n);
/** A header sent with each call, on top of the client's (replacing one of
    the same name); the rules of kimi_client_options_add_header apply. */
/*@ of(kimi_call_options) */
KIMI_API kimi_status kimi_call_options_add_header(kimi_call_options *opts, const char *name, const char *value);
/** A query parameter added to each call's URL. The name and the value are
    percent-encoded whole (every byte but RFC 3986's unreserved ones), so an
    '=' or '&' in them stays in them. */
/*@ of(kimi_call_options) */
KIMI_API kimi_status kimi_call_options_add_query(kimi_call_options *opts, const char *name, const char *value);
/** A cancel token for each call (NULL: none of its own); the options keep
    a reference. */
/*@ of(kimi_call_options) null(token) */
KIMI_API kimi_status kimi_call_options_set_cancel_token(kimi_call_options *opts, kimi_cancel_token *token);

/**
 * A view of `client` that shares its connections, event loop and usage
 * totals, and applies `opts` (copied; over any options `client` itself is a
 * view with) to every call made through it, as openai-python's
 * `client.with_options()`. Stored in `*out`: free it with kimi_client_free,
 * before or after `client`. Freeing a view leaves the client's tasks
 * running; freeing the client ends the tasks of all its views. Returns
 * KIMI_OK, or KIMI_E_INVALID_ARGUMENT for a NULL or wrong handle (then
 * `*out` is NULL). Thread-safe.
 */
/*@ of(kimi_client) out(out: owned) */
KIMI_API kimi_status kimi_client_with_options(const kimi_client *client, const kimi_call_options *opts,
                                              kimi_client **out);

/* ------------------------------------------------------------------------ */
/* Messages                                                                 */
/* ------------------------------------------------------------------------ */

typedef struct kimi_message kimi_message;

/**
 * A new, empty message with `role` "system", "user", "assistant" or "tool".
 * Returns NULL (and sets the last error) for a NULL or unknown role. Free
 * with kimi_message_free. Add it to a request with
 * kimi_chat_request_append_message, which copies it.
 */
/*@ of(kimi_message) returns(owned) */
KIMI_API kimi_message *kimi_message_new(const char *role);

/** Frees a message. NULL does nothing. */
/*@ of(kimi_message) frees(msg) null(msg) */
KIMI_API void kimi_message_free(kimi_message *msg);

/** A message from one OpenAI-style message object (role, content as a string
    or parts, name, partial, reasoning_content, tool_calls, tool_call_id), in
    `*out` (free with kimi_message_free), or NULL. Returns KIMI_OK or
    KIMI_E_INVALID_ARGUMENT naming the bad field. */
/*@ of(kimi_message) out(out: owned) */
KIMI_API kimi_status kimi_message_from_json(const char *json, kimi_message **out);

/*
 * Message setters copy their arguments and return KIMI_OK, or
 * KIMI_E_INVALID_ARGUMENT for a NULL message or string, invalid UTF-8, or a
 * field the role cannot carry (named in the message).
 */

/** Appends a text part. A message with only text is sent as a plain string. */
/*@ of(kimi_message) */
KIMI_API kimi_status kimi_message_add_text(kimi_message *msg, const char *text);
/** Sets `name` (the speaker's persona in Partial Mode). */
/*@ of(kimi_message) */
KIMI_API kimi_status kimi_message_set_name(kimi_message *msg, const char *name);
/** Marks an assistant message as a prefix the model continues (Partial Mode). */
/*@ of(kimi_message) */
KIMI_API kimi_status kimi_message_set_partial(kimi_message *msg, int partial);
/** Sets `reasoning_content` on an assistant message (echo it on tool-call turns). */
/*@ of(kimi_message) */
KIMI_API kimi_status kimi_message_set_reasoning_content(kimi_message *msg, const char *reasoning);
/** Adds a tool call to an assistant message; `id` is kept verbatim (Kimi's
    ids look like "functions.get_weather:0"); `arguments_json` is the JSON
    text of the arguments, kept verbatim; text that is not JSON is refused
    (to replay a model's malformed arguments, load the history with
    kimi_message_from_json or kimi_conversation_load_json). */
/*@ of(kimi_message) */
KIMI_API kimi_status kimi_message_add_tool_call(kimi_message *msg, const char *id, const char *name,
                                                const char *arguments_json);
/** Sets `tool_call_id` on a tool message: the id of the call it answers. */
/*@ of(kimi_message) */
KIMI_API kimi_status kimi_message_set_tool_call_id(kimi_message *msg, const char *tool_call_id);

/*
 * Images and video. Kimi takes png, jpeg, webp and gif images, and mp4,
 * mpeg, mov, avi, x-flv, webm, wmv and 3gpp video, inline as base64 `data:`
 * URIs (up to a 100 MB request body) or uploaded and referenced as
 * "ms://<file id>". The format is detected from the bytes, never from a file
 * name. Each returns KIMI_OK, or KIMI_E_INVALID_ARGUMENT naming the argument
 * and what was found (an unsupported format, an empty or unreadable file, an
 * image where a video belongs, a stated MIME type the bytes contradict).
 */

/** Adds an image from memory (copied). `mime` may be NULL to detect it; a
    stated type must agree with the bytes. */
/*@ of(kimi_message) null(mime) */
KIMI_API kimi_status kimi_message_add_image_data(kimi_message *msg, const char *mime, const void *bytes, size_t len);
/** Adds an image from a file: checked now, read (and base64-encoded straight
    into the request as it is sent) each time the request is sent. The path
    must name a regular file: a FIFO, a device or a directory is refused at
    once, before anything is read (nothing blocks). */
/*@ of(kimi_message) */
KIMI_API kimi_status kimi_message_add_image_file(kimi_message *msg, const char *path);
/** Adds an image by URL: a "data:image/...;base64," URI or "ms://<file id>".
    With the client's Kimi rules on, when the request is sent a data URI's
    type must be one Kimi takes (png, jpeg, webp, gif; for video mp4, mpeg,
    mov, avi, x-flv, webm, wmv, 3gpp) and its first bytes must be that
    format, and http(s) URLs are refused (Kimi does not fetch them); the
    same goes for URLs loaded from JSON. */
/*@ of(kimi_message) */
KIMI_API kimi_status kimi_message_add_image_url(kimi_message *msg, const char *url);
/** The same three for video. */
/*@ of(kimi_message) null(mime) */
KIMI_API kimi_status kimi_message_add_video_data(kimi_message *msg, const char *mime, const void *bytes, size_t len);
/*@ of(kimi_message) */
KIMI_API kimi_status kimi_message_add_video_file(kimi_message *msg, const char *path);
/*@ of(kimi_message) */
KIMI_API kimi_status kimi_message_add_video_url(kimi_message *msg, const char *url);
/** Marks the message's inline media as reused across requests: with the
    client's auto upload on, it is uploaded once and sent as "ms://<id>". */
/*@ of(kimi_message) */
KIMI_API kimi_status kimi_message_set_media_reuse(kimi_message *msg, int reuse);

/* ------------------------------------------------------------------------ */
/* Chat requests                                                            */
/* ------------------------------------------------------------------------ */

typedef struct kimi_chat_request kimi_chat_request;
/** A response (see "Chat completions" below). */
typedef struct kimi_chat_response kimi_chat_response;

/**
 * A new request for `model` (NULL means "kimi-k2.6") with no messages.
 * Returns NULL (and sets the last error) for invalid UTF-8. Free with
 * kimi_chat_request_free. A request belongs to one thread at a time, and is
 * only read by the calls that send it, so it can be sent many times.
 */
/*@ of(kimi_chat_request) returns(owned) null(model) */
KIMI_API kimi_chat_request *kimi_chat_request_new(const char *model);

/** Frees a request. NULL does nothing. */
/*@ of(kimi_chat_request) frees(req) null(req) */
KIMI_API void kimi_chat_request_free(kimi_chat_request *req);

/*
 * Request setters copy their arguments. Optional fields are sent only once
 * set. Each returns KIMI_OK or KIMI_E_INVALID_ARGUMENT (NULL request or
 * string, invalid UTF-8 or JSON, a value out of range; the message names the
 * argument). Kimi's fixed K2.6 values are checked when the request is sent.
 */

/** Replaces the model. */
/*@ of(kimi_chat_request) */
KIMI_API kimi_status kimi_chat_request_set_model(kimi_chat_request *req, const char *model);
/** Appends a text message with `role` "system", "user" or "assistant". Tool
    results need a tool_call_id: build them with kimi_message_new("tool"). */
/*@ of(kimi_chat_request) */
KIMI_API kimi_status kimi_chat_request_add_message(kimi_chat_request *req, const char *role, const char *text);
/** Appends a copy of `msg`; the caller keeps ownership of `msg`. */
/*@ of(kimi_chat_request) */
KIMI_API kimi_status kimi_chat_request_append_message(kimi_chat_request *req, const kimi_message *msg);
/** Number of messages in the request. */
/*@ of(kimi_chat_request) accessor */
KIMI_API size_t kimi_chat_request_message_count(const kimi_chat_request *req);

/** `thinking` modes for kimi_chat_request_set_thinking. */
enum {
    /** Leave `thinking` out: the server's default (enabled on K2.6). */
    KIMI_THINKING_DEFAULT = 0,
    /** {"type":"enabled"} */
    KIMI_THINKING_ENABLED = 1,
    /** {"type":"disabled"} */
    KIMI_THINKING_DISABLED = 2,
    /** {"type":"enabled","keep":"all"}: earlier turns' reasoning is kept
        (Preserved Thinking). With Kimi's rules on, `keep` is refused when
        the request is sent unless it is "all", thinking is enabled and the
        model keeps thinking (kimi-k2.6; not kimi-k2.5 or older models). */
    KIMI_THINKING_KEEP_ALL = 3
};

/** Sets `thinking` to one of the KIMI_THINKING_* modes. */
/*@ of(kimi_chat_request) */
KIMI_API kimi_status kimi_chat_request_set_thinking(kimi_chat_request *req, int mode);
/** `max_completion_tokens` (> 0). Reasoning and answer share this budget.
    With Kimi's rules on, a value over the model's context window (262,144
    tokens for the K2 models, or the context_length kimi_models_list
    reported) is refused when the request is sent; see
    kimi_chat_fit_max_completion_tokens. */
/*@ of(kimi_chat_request) */
KIMI_API kimi_status kimi_chat_request_set_max_completion_tokens(kimi_chat_request *req, int64_t tokens);
/** The deprecated `max_tokens` (> 0), which Kimi does not honour. With
    Kimi's rules on it is sent as `max_completion_tokens` (a warn-level log
    line says so once per client), and a request with both set to
    different values is refused with KIMI_E_INVALID_ARGUMENT; with them off
    it is sent as is. Prefer kimi_chat_request_set_max_completion_tokens. */
/*@ of(kimi_chat_request) */
KIMI_API kimi_status kimi_chat_request_set_max_tokens(kimi_chat_request *req, int64_t tokens);
/** `temperature` (finite). K2.6 accepts only 1.0 with thinking and 0.6 without. */
/*@ of(kimi_chat_request) */
KIMI_API kimi_status kimi_chat_request_set_temperature(kimi_chat_request *req, double temperature);
/** `top_p` (finite). K2.6 accepts only 0.95. */
/*@ of(kimi_chat_request) */
KIMI_API kimi_status kimi_chat_request_set_top_p(kimi_chat_request *req, double top_p);
/** `n` (>= 1). K2.6 accepts only 1. */
/*@ of(kimi_chat_request) */
KIMI_API kimi_status kimi_chat_request_set_n(kimi_chat_request *req, int64_t n);
/** `presence_penalty` (finite). K2.6 accepts only 0. */
/*@ of(kimi_chat_request) */
KIMI_API kimi_status kimi_chat_request_set_presence_penalty(kimi_chat_request *req, double penalty);
/** `frequency_penalty` (finite). K2.6 accepts only 0. */
/*@ of(kimi_chat_request) */
KIMI_API kimi_status kimi_chat_request_set_frequency_penalty(kimi_chat_request *req, double penalty);
/** `response_format` of type "text" or "json_object". */
/*@ of(kimi_chat_request) */
KIMI_API kimi_status kimi_chat_request_set_response_format(kimi_chat_request *req, const char *type);
/** `response_format` of type "json_schema" (Structured Output): `name`, the
    schema as JSON object text, and `strict` (non-zero = true). */
/*@ of(kimi_chat_request) */
KIMI_API kimi_status kimi_chat_request_set_response_format_json_schema(kimi_chat_request *req, const char *name,
                                                                       const char *schema_json, int strict);
/** Appends a stop string (Kimi allows at most 5, each at most 32 bytes). */
/*@ of(kimi_chat_request) */
KIMI_API kimi_status kimi_chat_request_add_stop(kimi_chat_request *req, const char *stop);
/** `prompt_cache_key`: a session or task id that improves cache hits. */
/*@ of(kimi_chat_request) */
KIMI_API kimi_status kimi_chat_request_set_prompt_cache_key(kimi_chat_request *req, const char *key);
/** `safety_identifier`: a stable, hashed id of the end user. */
/*@ of(kimi_chat_request) */
KIMI_API kimi_status kimi_chat_request_set_safety_identifier(kimi_chat_request *req, const char *id);
/**
 * Declares a function tool: `name` (Kimi: ^[a-zA-Z_][a-zA-Z0-9-_]{2,63}$,
 * unique), `description` (may be NULL), `parameters_json` a JSON Schema
 * object (may be NULL) in Moonshot's subset (MFJS), and `strict`: 1, 0, or
 * -1 to leave it out (Kimi then treats the schema as strict). Names and
 * schemas are checked when the request is sent.
 */
/*@ of(kimi_chat_request) null(description, parameters_json) */
KIMI_API kimi_status kimi_chat_request_add_tool(kimi_chat_request *req, const char *name, const char *description,
                                                const char *parameters_json, int strict);
/** Declares Kimi's built-in `$web_search` (run by Kimi; echo its arguments
    back as the tool result, which kimi_conversation_run does). */
/*@ of(kimi_chat_request) */
KIMI_API kimi_status kimi_chat_request_add_web_search(kimi_chat_request *req);
/** `tool_choice`: "auto", "none" or "required" (with thinking on, Kimi takes
    only auto and none). */
/*@ of(kimi_chat_request) */
KIMI_API kimi_status kimi_chat_request_set_tool_choice(kimi_chat_request *req, const char *choice);
/** `tool_choice` naming one function (thinking must be off). */
/*@ of(kimi_chat_request) */
KIMI_API kimi_status kimi_chat_request_set_tool_choice_function(kimi_chat_request *req, const char *name);
/**
 * Appends choice 0 of `resp` (an answer to this request) as the assistant
 * turn Kimi needs back before the tool results: its content (the whole
 * answer after Partial Mode, which replaces the prefix message), its
 * `reasoning_content` (on tool-call turns with thinking on, and on every
 * turn with KIMI_THINKING_KEEP_ALL) and its tool calls with their ids
 * verbatim. A manual tool loop is then kimi_chat_create, this, and
 * kimi_chat_request_add_tool_result per call (examples/tool_loop.c).
 * `resp` is not changed; the caller keeps it. Returns KIMI_OK, or
 * KIMI_E_INVALID_ARGUMENT for a NULL argument, a response without choices,
 * or one cut while still reasoning (finish_reason "length" with no content
 * and no tool calls: raise max_completion_tokens and ask again). An empty
 * answer that ended on its own ("stop") is appended as an assistant turn
 * with empty content, and sent back as such. Thread-safety as for every
 * request setter.
 */
/*@ of(kimi_chat_request) */
KIMI_API kimi_status kimi_chat_request_append_response(kimi_chat_request *req, const kimi_chat_response *resp);
/** Appends a tool message answering the call `tool_call_id` of function `name`. */
/*@ of(kimi_chat_request) */
KIMI_API kimi_status kimi_chat_request_add_tool_result(kimi_chat_request *req, const char *tool_call_id, const char *name,
                                                       const char *content);
/**
 * Partial Mode: ends the messages with an assistant message `prefix` marked
 * `partial: true`, which the model continues (`name`, may be NULL, sets a
 * persona). Replaces an earlier prefill. The response's
 * kimi_chat_response_full_content is prefix + continuation.
 */
/*@ of(kimi_chat_request) null(name) */
KIMI_API kimi_status kimi_chat_request_set_prefill(kimi_chat_request *req, const char *prefix, const char *name);

/** `stream_options.include_usage` (sent on streamed calls only). */
/*@ of(kimi_chat_request) */
KIMI_API kimi_status kimi_chat_request_set_include_usage(kimi_chat_request *req, int include);
/**
 * Members of the JSON object `json_object` (copied) are sent with the body,
 * like openai-python's extra_body; NULL removes earlier extras (a second
 * call replaces the first). "stream" is refused: the call sets it.
 *
 * With Kimi's rules on, the rules judge the body as it will be sent: a
 * member that is a request field ("thinking", "temperature", "messages",
 * ...) is read as that field and checked like one, and one the request also
 * has with a different value (set by a setter, or loaded by
 * kimi_chat_request_from_json) is refused when the request is sent, with
 * KIMI_E_INVALID_ARGUMENT naming both values. Members Kimi's API reference
 * does not list ("seed", "logprobs", "user", ...) are sent as given, with a
 * warn-level log line once per client and field. With the rules off, the
 * members are merged last and replace built ones of the same name.
 * Returns KIMI_OK, or KIMI_E_INVALID_ARGUMENT for a NULL request, invalid
 * JSON or a non-object. One thread at a time per request.
 */
/*@ of(kimi_chat_request) null(json_object) */
KIMI_API kimi_status kimi_chat_request_set_extra_json(kimi_chat_request *req, const char *json_object);

/*
 * The request's own call settings, honoured by kimi_chat_create, both
 * stream APIs, tasks, conversations and kimi_chat_continue (see "Call
 * options and client views"). Each returns KIMI_OK or
 * KIMI_E_INVALID_ARGUMENT (NULL request or string, a value out of range).
 */
/** The whole call's limit, retries and their waits included; 0 = the client's. */
/*@ of(kimi_chat_request) */
KIMI_API kimi_status kimi_chat_request_set_timeout_ms(kimi_chat_request *req, uint32_t ms);
/** The longest silence of an attempt; 0 = the client's. */
/*@ of(kimi_chat_request) */
KIMI_API kimi_status kimi_chat_request_set_idle_timeout_ms(kimi_chat_request *req, uint32_t ms);
/** Retries, 0 to 100; -1 = the client's. */
/*@ of(kimi_chat_request) */
KIMI_API kimi_status kimi_chat_request_set_max_retries(kimi_chat_request *req, int32_t n);
/** A header sent with this request's calls, on top of the client's
    (replacing one of the same name); the rules of
    kimi_client_options_add_header apply. */
/*@ of(kimi_chat_request) */
KIMI_API kimi_status kimi_chat_request_add_header(kimi_chat_request *req, const char *name, const char *value);
/** A query parameter added to this request's URL, percent-encoded as
    kimi_call_options_add_query says. */
/*@ of(kimi_chat_request) */
KIMI_API kimi_status kimi_chat_request_add_query(kimi_chat_request *req, const char *name, const char *value);

/**
 * Builds a request from an OpenAI-style chat completion body (model,
 * messages with string or part-list content, and any of the fields above).
 * Other members are kept and sent as they are, after the fields (with Kimi's
 * rules on, the ones Kimi does not list are logged once per client, and
 * kimi_chat_request_set_extra_json may not give them another value);
 * "stream" and "stream_options" are the call's (it decides).
 *
 * What is sent: `body` itself, byte for byte, once reading it has checked
 * it (and Kimi's rules, when on, when it is sent), without its "stream"
 * and "stream_options" members; a streamed call puts its own in front,
 * `"stream":true` and, when `include_usage` was given,
 * `"stream_options":{"include_usage":...}`. The request is written anew
 * from its fields instead once anything changes it (any setter, extra
 * JSON, a fit, an appended answer; call settings such as timeouts,
 * headers and the cancel token change nothing of the body), when the rules
 * rewrite it (max_tokens sent as max_completion_tokens, extra JSON read
 * into fields), and when reading it filled something in: no "model" (the
 * default is sent), a member given as null, a number no double holds
 * (read as null), a count written as a real ("n": 1.0, "max_tokens": 1e3:
 * sent as 1, 1000), a tool call without "type" or with non-string
 * "arguments", an assistant tool-call turn with empty "content" (left
 * out: Kimi refuses empty content), a named "tool_choice" without its
 * "type", an image or video part. kimi_chat_request_to_json shows
 * the loaded text (without its stream members) while it is what is sent.
 *
 * Stores the request in `*out` (free with kimi_chat_request_free) or NULL.
 * Returns KIMI_OK, or KIMI_E_INVALID_ARGUMENT naming the bad field
 * ("messages[2].role: ..."), or the member an object names twice (the
 * rules would check one value and a server might read the other).
 */
/*@ of(kimi_chat_request) out(out: owned) */
KIMI_API kimi_status kimi_chat_request_from_json(const char *body, kimi_chat_request **out);

/**
 * The JSON body a non-streamed call would send. Returns a string the caller
 * frees with kimi_string_free, or NULL (with the last error set) for a NULL
 * request. The API key is never part of it.
 */
/*@ of(kimi_chat_request) returns(owned) */
KIMI_API char *kimi_chat_request_to_json(const kimi_chat_request *req);

/* ------------------------------------------------------------------------ */
/* Chat completions                                                         */
/* ------------------------------------------------------------------------ */

/**
 * Sends `req` (not streamed) and waits for the whole answer. On success
 * stores the response in `*out` (free with kimi_chat_response_free); on
 * failure stores NULL and sets the last error.
 *
 * Returns KIMI_OK; KIMI_E_INVALID_ARGUMENT (nothing was sent);
 * KIMI_E_API (an error object: type, message, code and HTTP status in the
 * last error); KIMI_E_HTTP (a non-2xx answer without one); KIMI_E_TRANSPORT;
 * KIMI_E_TIMEOUT; KIMI_E_PARSE; KIMI_E_TOO_LARGE; KIMI_E_ABORTED (the
 * request's cancel token was cancelled).
 *
 * Thread-safe: any number of threads may call it with the same client.
 */
/*@ of(kimi_client) blocks out(out: owned) */
KIMI_API kimi_status kimi_chat_create(kimi_client *client, const kimi_chat_request *req, kimi_chat_response **out);

/**
 * Continues an answer that stopped early (finish_reason "length"): sends
 * `req` with `previous`'s whole answer as a Partial Mode prefix. The new
 * response's kimi_chat_response_full_content is the whole answer so far.
 * `req` and `previous` are not changed. Statuses as kimi_chat_create;
 * KIMI_E_INVALID_ARGUMENT, with nothing sent, when `previous` was cut while
 * still reasoning (it has no content to continue: raise
 * max_completion_tokens and ask again).
 */
/*@ of(kimi_client) blocks out(out: owned) */
KIMI_API kimi_status kimi_chat_continue(kimi_client *client, const kimi_chat_request *req,
                                        const kimi_chat_response *previous, kimi_chat_response **out);

/**
 * Sets `req`'s `max_completion_tokens` to what the model's context window
 * leaves after the prompt, never more than the caller's own value (a
 * max_tokens counts as one), and stores it in `*max_out` (may be NULL; 0
 * on failure). The prompt is counted by the token-estimate endpoint (one
 * blocking request, with the request's call options), which counts the
 * messages; the request's tool definitions also take prompt tokens, and
 * count at an upper bound: one token per byte of their JSON. The window is
 * 262,144 tokens for the K2 models, or the context_length of an earlier
 * kimi_models_list. The extra JSON's request fields are read into the
 * fields (kimi_chat_request_set_extra_json). On failure `req` is unchanged.
 *
 * Returns KIMI_OK; KIMI_E_INVALID_ARGUMENT for a NULL client or request,
 * a model whose window is not known, or a prompt that alone fills the
 * window (the message says how many tokens it and the tools take); and the statuses of
 * kimi_chat_estimate_tokens. Thread-safe for the client; the request belongs to
 * the calling thread.
 */
/*@ of(kimi_client) blocks out(max_out: scalar) null(max_out) */
KIMI_API kimi_status kimi_chat_fit_max_completion_tokens(kimi_client *client, kimi_chat_request *req,
                                                         int64_t *max_out);

/** Frees a response and every string read from it. NULL does nothing. */
/*@ of(kimi_chat_response) frees(resp) null(resp) */
KIMI_API void kimi_chat_response_free(kimi_chat_response *resp);

/*
 * Response accessors. A response is immutable, so these may be called from
 * several threads at once. Strings are borrowed until kimi_chat_response_free.
 * The unindexed forms read choice 0.
 */

/** The assistant's answer text ("" when absent). */
/*@ of(kimi_chat_response) accessor returns(borrowed) out(len_out: scalar) null(len_out) */
KIMI_API const char *kimi_chat_response_content(const kimi_chat_response *resp, size_t *len_out);
/** The reasoning (`reasoning_content`, "" when absent). */
/*@ of(kimi_chat_response) accessor returns(borrowed) out(len_out: scalar) null(len_out) */
KIMI_API const char *kimi_chat_response_reasoning(const kimi_chat_response *resp, size_t *len_out);
/** The whole answer: with Partial Mode, the prefix followed by the new text
    (kimi_chat_response_content is the new text alone); otherwise the content. */
/*@ of(kimi_chat_response) accessor returns(borrowed) out(len_out: scalar) null(len_out) */
KIMI_API const char *kimi_chat_response_full_content(const kimi_chat_response *resp, size_t *len_out);
/** "stop", "length", "tool_calls", ... ("" when the server sent none). */
/*@ of(kimi_chat_response) accessor returns(borrowed) */
KIMI_API const char *kimi_chat_response_finish_reason(const kimi_chat_response *resp);
/** Number of tool calls the model asked for. */
/*@ of(kimi_chat_response) accessor */
KIMI_API size_t kimi_chat_response_tool_call_count(const kimi_chat_response *resp);
/** Tool call `i`'s id, verbatim ("functions.get_weather:0"). */
/*@ of(kimi_chat_response) accessor returns(borrowed) */
KIMI_API const char *kimi_chat_response_tool_call_id(const kimi_chat_response *resp, size_t i);
/** Tool call `i`'s function name. */
/*@ of(kimi_chat_response) accessor returns(borrowed) */
KIMI_API const char *kimi_chat_response_tool_call_name(const kimi_chat_response *resp, size_t i);
/** Tool call `i`'s arguments as JSON text. */
/*@ of(kimi_chat_response) accessor returns(borrowed) */
KIMI_API const char *kimi_chat_response_tool_call_arguments(const kimi_chat_response *resp, size_t i);

/*
 * Usage, -1 when the server sent none (or a value that is no count: see
 * "Servers" above; such a value never fails the response nor reaches the
 * client's totals). Read from the response's `usage`, or
 * from Kimi's `choices[i].usage`; streams keep the last one seen, never a sum.
 * Cached tokens come from `cached_tokens` or
 * `prompt_tokens_details.cached_tokens`; they are part of the prompt tokens.
 */
/*@ of(kimi_chat_response) accessor */
KIMI_API int64_t kimi_chat_response_prompt_tokens(const kimi_chat_response *resp);
/*@ of(kimi_chat_response) accessor */
KIMI_API int64_t kimi_chat_response_completion_tokens(const kimi_chat_response *resp);
/*@ of(kimi_chat_response) accessor */
KIMI_API int64_t kimi_chat_response_total_tokens(const kimi_chat_response *resp);
/*@ of(kimi_chat_response) accessor */
KIMI_API int64_t kimi_chat_response_cached_tokens(const kimi_chat_response *resp);
/**
 * What the response cost in US dollars under its client's prices
 * (kimi_client_options_set_pricing; K2.6's by default): (prompt - cached)
 * tokens at the input price, cached tokens at the cached price, completion
 * tokens at the output price, and each `$web_search` call it is billed for
 * at the web search price (kimi_client_options_set_web_search_price). 1,000,000
 * prompt tokens of which 400,000 cached and 100,000 completion tokens cost
 * $0.72. 0.0 for NULL or a response without usage or searches. Never fails.
 */
/*@ of(kimi_chat_response) accessor */
KIMI_API double kimi_chat_response_cost_usd(const kimi_chat_response *resp);
/** The `$web_search` calls Kimi bills this response for: its `$web_search`
    tool calls in choices that finished with "tool_calls" (a response that
    ends "stop" is not billed for a search). 0 for NULL. Never fails. */
/*@ of(kimi_chat_response) accessor */
KIMI_API int64_t kimi_chat_response_web_search_calls(const kimi_chat_response *resp);

/** The completion id ("cmpl-..."). */
/*@ of(kimi_chat_response) accessor returns(borrowed) */
KIMI_API const char *kimi_chat_response_id(const kimi_chat_response *resp);
/** The model that answered. */
/*@ of(kimi_chat_response) accessor returns(borrowed) */
KIMI_API const char *kimi_chat_response_model(const kimi_chat_response *resp);
/** Creation time in Unix seconds, 0 when absent. */
/*@ of(kimi_chat_response) accessor */
KIMI_API int64_t kimi_chat_response_created(const kimi_chat_response *resp);
/** The JSON of the response: the body as received, or for a streamed
    response a non-streamed document built from what was received. */
/*@ of(kimi_chat_response) accessor returns(borrowed) out(len_out: scalar) null(len_out) */
KIMI_API const char *kimi_chat_response_json(const kimi_chat_response *resp, size_t *len_out);

/*
 * What the call that made a response tells, the same for create, streams
 * and tasks: the final attempt's status and headers, the attempts, times.
 * Strings are borrowed until kimi_chat_response_free; "" when absent.
 * A NULL response (or a header index out of range) reads as absent: "",
 * 0 headers, status 0, 0 attempts, -1 ms. Several threads may read them
 * at once.
 */
/** The server's request id (X-Request-Id, Request-Id, Msh-Request-Id or X-Trace-Id). */
/*@ of(kimi_chat_response) accessor returns(borrowed) */
KIMI_API const char *kimi_chat_response_request_id(const kimi_chat_response *resp);
/** The final attempt's response header `name`, any case (rate-limit
    headers, say); "" when absent or for a NULL name. */
/*@ of(kimi_chat_response) accessor returns(borrowed) null(name) */
KIMI_API const char *kimi_chat_response_header(const kimi_chat_response *resp, const char *name);
/** The number of response headers, and header `i`'s name (lower-cased) and
    value, in the order they came. */
/*@ of(kimi_chat_response) accessor */
KIMI_API size_t kimi_chat_response_header_count(const kimi_chat_response *resp);
/*@ of(kimi_chat_response) accessor returns(borrowed) */
KIMI_API const char *kimi_chat_response_header_name(const kimi_chat_response *resp, size_t i);
/*@ of(kimi_chat_response) accessor returns(borrowed) */
KIMI_API const char *kimi_chat_response_header_value(const kimi_chat_response *resp, size_t i);
/** The final attempt's HTTP status, 0 when unknown. */
/*@ of(kimi_chat_response) accessor */
KIMI_API int kimi_chat_response_http_status(const kimi_chat_response *resp);
/** Attempts made: 1 + retries. */
/*@ of(kimi_chat_response) accessor */
KIMI_API int kimi_chat_response_attempts(const kimi_chat_response *resp);
/** Milliseconds from the call's start to its end, retry waits included; -1 for NULL. */
/*@ of(kimi_chat_response) accessor */
KIMI_API double kimi_chat_response_elapsed_ms(const kimi_chat_response *resp);
/** Milliseconds from the call's start to the final attempt's first body byte; -1 if none. */
/*@ of(kimi_chat_response) accessor */
KIMI_API double kimi_chat_response_first_byte_ms(const kimi_chat_response *resp);
/** Milliseconds from the call's start to a stream's first reasoning,
    content or tool-call piece (the role chunk a server sends at once is no
    token); -1 when not streamed (or none came). */
/*@ of(kimi_chat_response) accessor */
KIMI_API double kimi_chat_response_first_token_ms(const kimi_chat_response *resp);

/** Number of choices (1 unless the request set `n`). */
/*@ of(kimi_chat_response) accessor */
KIMI_API size_t kimi_chat_response_choice_count(const kimi_chat_response *resp);
/** Choice `choice`'s answer text. */
/*@ of(kimi_chat_response) accessor returns(borrowed) out(len_out: scalar) null(len_out) */
KIMI_API const char *kimi_chat_response_choice_content(const kimi_chat_response *resp, size_t choice,
                                                       size_t *len_out);
/** Choice `choice`'s reasoning. */
/*@ of(kimi_chat_response) accessor returns(borrowed) out(len_out: scalar) null(len_out) */
KIMI_API const char *kimi_chat_response_choice_reasoning(const kimi_chat_response *resp, size_t choice,
                                                         size_t *len_out);
/** Choice `choice`'s finish reason. */
/*@ of(kimi_chat_response) accessor returns(borrowed) */
KIMI_API const char *kimi_chat_response_choice_finish_reason(const kimi_chat_response *resp, size_t choice);
/** Choice `choice`'s number of tool calls. */
/*@ of(kimi_chat_response) accessor */
KIMI_API size_t kimi_chat_response_choice_tool_call_count(const kimi_chat_response *resp, size_t choice);
/** Choice `choice`'s tool call `i`: id, name and arguments. */
/*@ of(kimi_chat_response) accessor returns(borrowed) */
KIMI_API const char *kimi_chat_response_choice_tool_call_id(const kimi_chat_response *resp, size_t choice,
                                                            size_t i);
/*@ of(kimi_chat_response) accessor returns(borrowed) */
KIMI_API const char *kimi_chat_response_choice_tool_call_name(const kimi_chat_response *resp, size_t choice,
                                                              size_t i);
/*@ of(kimi_chat_response) accessor returns(borrowed) */
KIMI_API const char *kimi_chat_response_choice_tool_call_arguments(const kimi_chat_response *resp,
                                                                   size_t choice, size_t i);

/* ------------------------------------------------------------------------ */
/* Files                                                                    */
/* ------------------------------------------------------------------------ */

/** A file in the Files API. */
typedef struct kimi_file kimi_file;

/**
 * Upload progress: bytes sent so far and the total (the multipart body, a
 * little more than the file). Called on the uploading thread whenever the
 * count changes, last with sent == total; return 0 to go on, non-zero to
 * stop (the upload then fails with KIMI_E_ABORTED).
 */
typedef int (*kimi_progress_cb)(uint64_t sent, uint64_t total, void *user_data);

/**
 * Uploads the file at `path` (streamed from disk) with `purpose`
 * "file-extract" (documents for Q&A), "image", "video" or "batch" (sent
 * under a name ending in ".jsonl", which Kimi requires of batch input:
 * "jobs.txt" goes up as "jobs.jsonl"). `progress` may be NULL. On success stores the file in `*out` (free with
 * kimi_file_free); on failure stores NULL. Returns KIMI_OK;
 * KIMI_E_INVALID_ARGUMENT (unknown purpose, unreadable or empty file, over
 * Kimi's 100 MB per-file limit, not an image/video for those purposes, a
 * file that shrank, grew or was rewritten while it was uploaded, named);
 * KIMI_E_ABORTED (the progress callback stopped it); the statuses of
 * kimi_chat_create for the request itself. Thread-safe.
 */
/*@ of(kimi_client) blocks out(out: owned) null(progress) */
KIMI_API kimi_status kimi_file_upload(kimi_client *client, const char *path, const char *purpose,
                                      kimi_progress_cb progress, void *user_data, kimi_file **out);
/** Like kimi_file_upload, from memory (not copied: `data` must stay valid and
    unchanged until the call returns), as a file called `filename`.
    Statuses as kimi_file_upload. */
/*@ of(kimi_client) blocks out(out: owned) null(progress) */
KIMI_API kimi_status kimi_file_upload_data(kimi_client *client, const char *filename, const void *data, size_t len,
                                           const char *purpose, kimi_progress_cb progress, void *user_data,
                                           kimi_file **out);
/** Fetches a file's details into `*out` (free with kimi_file_free). An unknown
    id gives KIMI_E_API with HTTP status 404. Thread-safe. */
/*@ of(kimi_client) blocks out(out: owned) */
KIMI_API kimi_status kimi_file_retrieve(kimi_client *client, const char *file_id, kimi_file **out);
/** Deletes a file. Returns KIMI_OK or the statuses of kimi_chat_create.
    Thread-safe. */
/*@ of(kimi_client) blocks */
KIMI_API kimi_status kimi_file_delete(kimi_client *client, const char *file_id);
/** The extracted text of a "file-extract" file, as a string the caller frees
    with kimi_string_free; `len_out` may be NULL. The whole body is held in
    memory (up to kimi_client_options_set_max_response_bytes): for large
    contents use kimi_file_content_write or kimi_file_content_to_fd.
    Returns KIMI_OK or the statuses of kimi_chat_create. Thread-safe. */
/*@ of(kimi_client) blocks out(content_out: owned, len_out: scalar) null(len_out) */
KIMI_API kimi_status kimi_file_content(kimi_client *client, const char *file_id, char **content_out, size_t *len_out);

/**
 * Receives a file's content piece by piece: `len` bytes at `data` (not
 * NUL-terminated, never empty, borrowed for the call). Return 0 to go on,
 * non-zero to stop (the download then fails with KIMI_E_ABORTED).
 */
typedef int (*kimi_write_cb)(const void *data, size_t len, void *user_data);

/**
 * Downloads a file's content (`GET /files/{id}/content`: extracted text, or
 * the lines of a batch output or error file) to `write`, piece by piece as
 * it arrives, on the calling thread: memory stays flat whatever the size,
 * and no response-size limit applies. `progress` (may be NULL) is called
 * after each piece with the bytes received so far and the size the server
 * announced (0 when it announced none); return non-zero from it to stop.
 * `user_data` goes to both callbacks. `bytes_out` (may be NULL) receives
 * the bytes given to `write`, on failure too.
 *
 * Returns KIMI_OK once the whole body arrived; KIMI_E_INCOMPLETE when it
 * was cut before its end (the connection dropped, or fewer bytes than
 * announced): what arrived was written, and the message says how much;
 * KIMI_E_PARSE when more arrived than its Content-Length announced (a
 * chunked body that disagrees with it; all of it was written);
 * KIMI_E_ABORTED when a callback or the cancel token of the client's call
 * options stopped it; KIMI_E_INVALID_ARGUMENT for a NULL client, file id
 * or `write`; otherwise the statuses of kimi_chat_create for the request
 * (KIMI_E_API with HTTP status 404 for an unknown file). A body that
 * carries neither a length nor chunked framing cannot be told apart from a
 * cut one by any client. Thread-safe for the client.
 */
/*@ of(kimi_client) blocks out(bytes_out: scalar) null(progress, bytes_out) */
KIMI_API kimi_status kimi_file_content_write(kimi_client *client, const char *file_id, kimi_write_cb write,
                                             kimi_progress_cb progress, void *user_data, uint64_t *bytes_out);
/**
 * kimi_file_content_write to the open file descriptor `fd` (a file, a pipe,
 * a socket): every piece is written whole, retrying short writes and
 * EINTR. The descriptor is not closed or synced. A failed write ends the
 * download with KIMI_E_INVALID_ARGUMENT naming `fd` and the system's
 * reason (a full disk, a closed pipe); a negative `fd` is refused before
 * any request. Otherwise as kimi_file_content_write.
 */
/*@ of(kimi_client) blocks out(bytes_out: scalar) null(progress, bytes_out) */
KIMI_API kimi_status kimi_file_content_to_fd(kimi_client *client, const char *file_id, int fd,
                                             kimi_progress_cb progress, void *user_data, uint64_t *bytes_out);

/** Frees a file returned by upload or retrieve. NULL does nothing. Never pass
    a file borrowed from a kimi_file_list. */
/*@ of(kimi_file) frees(file) null(file) */
KIMI_API void kimi_file_free(kimi_file *file);

/* File accessors; strings are valid until the file (or its list) is freed. */
/*@ of(kimi_file) accessor returns(borrowed) */
KIMI_API const char *kimi_file_id(const kimi_file *file);
/*@ of(kimi_file) accessor returns(borrowed) */
KIMI_API const char *kimi_file_filename(const kimi_file *file);
/*@ of(kimi_file) accessor returns(borrowed) */
KIMI_API const char *kimi_file_purpose(const kimi_file *file);
/** The status as the server sent it ("ok", "ready", ...). */
/*@ of(kimi_file) accessor returns(borrowed) */
KIMI_API const char *kimi_file_status(const kimi_file *file);
/*@ of(kimi_file) accessor returns(borrowed) */
KIMI_API const char *kimi_file_status_details(const kimi_file *file);
/** Size in bytes, 0 when absent. */
/*@ of(kimi_file) accessor */
KIMI_API int64_t kimi_file_bytes(const kimi_file *file);
/** Creation time in Unix seconds, 0 when absent. */
/*@ of(kimi_file) accessor */
KIMI_API int64_t kimi_file_created_at(const kimi_file *file);
/** The file object's JSON. */
/*@ of(kimi_file) accessor returns(borrowed) out(len_out: scalar) null(len_out) */
KIMI_API const char *kimi_file_json(const kimi_file *file, size_t *len_out);

typedef struct kimi_file_list kimi_file_list;

/** Lists all the account's files into `*out` (free with
    kimi_file_list_free), following the pages as kimi_file_iter_next does,
    with its limits and errors (statuses as kimi_file_iter_next).
    Thread-safe. */
/*@ of(kimi_client) blocks out(out: owned) */
KIMI_API kimi_status kimi_files_list(kimi_client *client, kimi_file_list **out);
/*@ of(kimi_file_list) accessor */
KIMI_API size_t kimi_file_list_count(const kimi_file_list *list);
/** File `i`, borrowed from the list (NULL when out of range): read it with the
    accessors above, never free it. */
/*@ of(kimi_file_list) accessor returns(borrowed) */
KIMI_API const kimi_file *kimi_file_list_get(const kimi_file_list *list, size_t i);
/*@ of(kimi_file_list) frees(list) null(list) */
KIMI_API void kimi_file_list_free(kimi_file_list *list);

/**
 * Walking every file without writing the paging loop, one at a time, like
 * sqlite3_step: create an iterator, call kimi_file_iter_next until it gives
 * NULL, free it. Pages are fetched only when needed (`GET /files`, then
 * `?after=<last id>` while a page says `has_more`), with the call options
 * of the client (or view) it was made from.
 *
 *     kimi_file_iter *it;
 *     kimi_file *file;
 *     kimi_file_iter_new(client, &it);
 *     while ((status = kimi_file_iter_next(it, &file)) == KIMI_OK && file) {
 *         printf("%s\n", kimi_file_filename(file));
 *         kimi_file_free(file);
 *     }
 *     kimi_file_iter_free(it);
 *
 * A server's paging cannot make it loop: a page that says more follow but
 * is empty, or whose last file has no usable id, or ends where an earlier
 * page ended (a repeated `after` cursor), ends the walk with KIMI_E_PARSE
 * saying so, and past 100,000 files it ends with KIMI_E_TOO_LARGE.
 */
typedef struct kimi_file_iter kimi_file_iter;

/** An iterator over the account's files in `*out` (free with
    kimi_file_iter_free); nothing is fetched yet. It keeps what it needs of
    the client, with the call options of the client or view it was made
    from, so it may be used after that handle is freed. Returns KIMI_OK or
    KIMI_E_INVALID_ARGUMENT for a NULL client or `out`. Thread-safe for
    the client. */
/*@ of(kimi_file_iter) out(out: owned) */
KIMI_API kimi_status kimi_file_iter_new(kimi_client *client, kimi_file_iter **out);
/**
 * Stores the next file in `*file_out`, a new handle the caller frees with
 * kimi_file_free, or NULL at the end; fetches the next page when needed.
 * Returns KIMI_OK (with a file, or NULL at the end); the failure of a page's
 * request (the statuses of kimi_chat_create); or KIMI_E_PARSE /
 * KIMI_E_TOO_LARGE for paging that does not end (above). After a failure
 * the walk is over: later calls return the same status, with NULL. One
 * thread at a time per iterator.
 */
/*@ of(kimi_file_iter) blocks out(file_out: owned) */
KIMI_API kimi_status kimi_file_iter_next(kimi_file_iter *iter, kimi_file **file_out);
/** Frees an iterator (files it gave stay valid). NULL does nothing. */
/*@ of(kimi_file_iter) frees(iter) null(iter) */
KIMI_API void kimi_file_iter_free(kimi_file_iter *iter);

/* ------------------------------------------------------------------------ */
/* Token estimates, models, balance                                         */
/* ------------------------------------------------------------------------ */

/**
 * Kimi's token estimate for the request's model and messages (images and
 * video included), stored in `*tokens_out`. Returns KIMI_OK or the statuses
 * of kimi_chat_create. Thread-safe.
 */
/*@ of(kimi_client) blocks out(tokens_out: scalar) */
KIMI_API kimi_status kimi_chat_estimate_tokens(kimi_client *client, const kimi_chat_request *req, int64_t *tokens_out);

typedef struct kimi_model kimi_model;
typedef struct kimi_model_list kimi_model_list;

/**
 * Fetches one model by id, with its capabilities (`GET /v1/models/{id}`).
 * Stores it in `*out` (free with kimi_model_free), or NULL on failure.
 * `model_id` must be an id ("kimi-k2.6": 1 to 256 letters, digits, '-', '_'
 * and '.', not "." or ".."): anything else is KIMI_E_INVALID_ARGUMENT naming
 * model_id, and nothing is sent. An id the key cannot use gives KIMI_E_API
 * with HTTP status 404 (kimi_error_type "resource_not_found_error"); a
 * 200 answer that is not a model object (no id) is KIMI_E_PARSE; otherwise
 * the statuses of kimi_chat_create. Like kimi_models_list, the model's
 * context_length bounds kimi_chat_fit_max_completion_tokens from then on.
 * Thread-safe.
 */
/*@ of(kimi_client) blocks out(out: owned) */
KIMI_API kimi_status kimi_model_retrieve(kimi_client *client, const char *model_id, kimi_model **out);

/* Model accessors, for a model from kimi_model_retrieve or kimi_task_model,
   or one borrowed from a list with kimi_model_list_get. Strings are valid
   until the model (or its list) is freed; a NULL model gives "", 0 or -1.
   Any thread, while the model is not being freed. */
/** The model's id ("kimi-k2.6"). */
/*@ of(kimi_model) accessor returns(borrowed) */
KIMI_API const char *kimi_model_id(const kimi_model *model);
/** Who owns the model ("moonshot"), "" when absent. */
/*@ of(kimi_model) accessor returns(borrowed) */
KIMI_API const char *kimi_model_owned_by(const kimi_model *model);
/** Creation time in Unix seconds, 0 when absent. */
/*@ of(kimi_model) accessor */
KIMI_API int64_t kimi_model_created(const kimi_model *model);
/** The context window in tokens, -1 when unknown. */
/*@ of(kimi_model) accessor */
KIMI_API int64_t kimi_model_context_length(const kimi_model *model);
/** 1 when the model accepts images / video / reasons, else 0. */
/*@ of(kimi_model) accessor */
KIMI_API int kimi_model_supports_image_in(const kimi_model *model);
/*@ of(kimi_model) accessor */
KIMI_API int kimi_model_supports_video_in(const kimi_model *model);
/*@ of(kimi_model) accessor */
KIMI_API int kimi_model_supports_reasoning(const kimi_model *model);
/** Frees a model from kimi_model_retrieve or kimi_task_model. NULL does
    nothing. Never pass a model borrowed from a kimi_model_list. */
/*@ of(kimi_model) frees(model) null(model) */
KIMI_API void kimi_model_free(kimi_model *model);

/** The models the key can use, with their capabilities, into `*out` (free
    with kimi_model_list_free). Returns KIMI_OK or the statuses of
    kimi_chat_create. Thread-safe. */
/*@ of(kimi_client) blocks out(out: owned) */
KIMI_API kimi_status kimi_models_list(kimi_client *client, kimi_model_list **out);
/*@ of(kimi_model_list) accessor */
KIMI_API size_t kimi_model_list_count(const kimi_model_list *list);
/** Model `i`'s id ("kimi-k2.6"), "" when out of range. */
/*@ of(kimi_model_list) accessor returns(borrowed) */
KIMI_API const char *kimi_model_list_id(const kimi_model_list *list, size_t i);
/** Model `i`'s context window in tokens, -1 when unknown. */
/*@ of(kimi_model_list) accessor */
KIMI_API int64_t kimi_model_list_context_length(const kimi_model_list *list, size_t i);
/** 1 when model `i` accepts images / video / reasons, else 0. */
/*@ of(kimi_model_list) accessor */
KIMI_API int kimi_model_list_supports_image_in(const kimi_model_list *list, size_t i);
/*@ of(kimi_model_list) accessor */
KIMI_API int kimi_model_list_supports_video_in(const kimi_model_list *list, size_t i);
/*@ of(kimi_model_list) accessor */
KIMI_API int kimi_model_list_supports_reasoning(const kimi_model_list *list, size_t i);
/** Model `i`, borrowed from the list (NULL when out of range): read it with
    the kimi_model accessors, never free it. */
/*@ of(kimi_model_list) accessor returns(borrowed) */
KIMI_API const kimi_model *kimi_model_list_get(const kimi_model_list *list, size_t i);
/*@ of(kimi_model_list) frees(list) null(list) */
KIMI_API void kimi_model_list_free(kimi_model_list *list);

/**
 * The account balance: available, voucher and cash (USD on api.moonshot.ai,
 * CNY on api.moonshot.cn; cash can be negative). Any out pointer may be
 * NULL. Returns KIMI_OK or the statuses of kimi_chat_create. Thread-safe.
 */
/*@ of(kimi_client) blocks out(available_out: scalar, voucher_out: scalar, cash_out: scalar)
    null(available_out, voucher_out, cash_out) */
KIMI_API kimi_status kimi_balance_get(kimi_client *client, double *available_out, double *voucher_out,
                                      double *cash_out);

/* ------------------------------------------------------------------------ */
/* Cancellation                                                             */
/* ------------------------------------------------------------------------ */

/* kimi_cancel_token is declared with the call options above. */

/**
 * A token that cancels the calls of the requests it is attached to (with
 * kimi_chat_request_set_cancel_token), from any thread. A call blocked on
 * the network wakes at once: it does not wait for data or a timeout.
 * Returns NULL only when out of memory. Free with kimi_cancel_token_free.
 */
/*@ of(kimi_cancel_token) returns(owned) */
KIMI_API kimi_cancel_token *kimi_cancel_token_new(void);

/** Cancels: running and later calls using the token return KIMI_E_ABORTED.
    Thread-safe; the one function meant to be called from another thread. */
/*@ of(kimi_cancel_token) */
KIMI_API void kimi_cancel_token_cancel(kimi_cancel_token *token);

/** 1 after kimi_cancel_token_cancel (until a reset), else 0. Thread-safe. */
/*@ of(kimi_cancel_token) accessor */
KIMI_API int kimi_cancel_token_is_cancelled(const kimi_cancel_token *token);

/** Makes a cancelled token usable again. */
/*@ of(kimi_cancel_token) */
KIMI_API void kimi_cancel_token_reset(kimi_cancel_token *token);

/** Frees the caller's reference; requests holding the token keep it alive.
    No other thread may be using this handle. NULL does nothing. */
/*@ of(kimi_cancel_token) frees(token) null(token) */
KIMI_API void kimi_cancel_token_free(kimi_cancel_token *token);

/** Attaches `token` to the request (NULL detaches it). The request keeps
    its own reference. Returns KIMI_OK or KIMI_E_INVALID_ARGUMENT. */
/*@ of(kimi_chat_request) null(token) */
KIMI_API kimi_status kimi_chat_request_set_cancel_token(kimi_chat_request *req, kimi_cancel_token *token);

/* ------------------------------------------------------------------------ */
/* Streaming                                                                */
/* ------------------------------------------------------------------------ */

/** An event of a streamed completion, read through the accessors below. It
    and every string read from it are valid only until the callback returns
    (or, with kimi_stream_next, until the next call on the stream). */
typedef struct kimi_stream_event kimi_stream_event;

/**
 * Event types, listed in the order a stream produces them. For each choice:
 * ROLE once; REASONING_DELTA repeated while the model thinks; then
 * CONTENT_DELTA repeated, or for each tool call TOOL_CALL_START once and
 * TOOL_CALL_DELTA repeated; when the choice ends, TOOL_CALL_DONE once per
 * tool call, then FINISH once, then USAGE (Kimi sends usage in the
 * finishing chunk, as `choices[i].usage`). Choices may interleave (check
 * kimi_stream_event_choice_index). An include_usage chunk adds a USAGE
 * with choice index -1 after them. Then DONE once, and for tasks END
 * last. The numbers are fixed by the ABI, not by this order.
 */
enum {
    /** The assistant's role ("assistant"), first in a choice: text. Once. */
    KIMI_EVENT_ROLE = 1,
    /** A piece of `reasoning_content` (thinking), before the answer: text.
        Repeats. */
    KIMI_EVENT_REASONING_DELTA = 2,
    /** A piece of the answer: text. Repeats. */
    KIMI_EVENT_CONTENT_DELTA = 3,
    /** The model started a tool call: tool-call index, id and name. Once
        per tool call. */
    KIMI_EVENT_TOOL_CALL_START = 4,
    /** A piece of a tool call's JSON arguments: text, index, id, name.
        Repeats. */
    KIMI_EVENT_TOOL_CALL_DELTA = 5,
    /** A tool call is complete (its choice finished): index, id, name. Once
        per tool call, just before the choice's FINISH. */
    KIMI_EVENT_TOOL_CALL_DONE = 6,
    /** A choice finished: finish reason. Once per choice. */
    KIMI_EVENT_FINISH = 8,
    /** Token usage: from Kimi's `choices[i].usage` (choice index set, after
        the choice's FINISH) or the include_usage chunk (choice index -1).
        May come more than once; the last one wins. */
    KIMI_EVENT_USAGE = 7,
    /** `data: [DONE]` arrived: the stream is complete. Once, the last event
        of kimi_chat_stream and kimi_stream_next. */
    KIMI_EVENT_DONE = 9,
    /** Tasks only (kimi_chat_stream_start, kimi_chat_create_start and every
        other *_start): the task ended, after DONE or after its failure;
        kimi_stream_event_status tells how. Once, always the task's last
        event. */
    KIMI_EVENT_END = 10,
    /** Tasks of other endpoints: progress, read with
        kimi_stream_event_progress: bytes of an upload sent of its
        multipart body, as kimi_progress_cb counts them
        (kimi_file_upload_start), or lines of a batch done of its total with
        the batch's status as text and kimi_stream_event_batch
        (kimi_batch_wait_start, after each poll). */
    KIMI_EVENT_PROGRESS = 11,
    /** A piece of a file's content as it arrived (kimi_file_content_start):
        the bytes as text (not NUL-safe: use the length); progress counts the
        bytes so far. Repeats. */
    KIMI_EVENT_DATA = 12,
    /** A line of a batch's results (kimi_batch_results_start): its custom id
        as text, kimi_stream_event_http_status, kimi_stream_event_error and
        kimi_stream_event_response. Once per line. */
    KIMI_EVENT_RESULT = 13
};

/**
 * Called once per event, on the thread that called kimi_chat_stream. Return
 * 0 to go on; any other value stops the transfer at once: no further
 * callbacks, and kimi_chat_stream returns KIMI_E_ABORTED.
 */
typedef int (*kimi_stream_cb)(const kimi_stream_event *event, void *user_data);

/**
 * Sends `req` with `stream: true` (the request itself is not changed) and
 * calls `on_event` (may be NULL) for every event, blocking until the stream
 * ends. `user_data` is passed to `on_event` untouched.
 *
 * `final_out` may be NULL. Otherwise it receives the accumulated response,
 * the same object kimi_chat_create returns (free with
 * kimi_chat_response_free), whenever the server started a stream: on
 * success, and also on KIMI_E_INCOMPLETE, KIMI_E_API (an error event),
 * KIMI_E_PARSE, KIMI_E_TIMEOUT, KIMI_E_TOO_LARGE and KIMI_E_ABORTED, with
 * what arrived. It receives NULL when no stream started (a refused request).
 *
 * Returns KIMI_OK only after `data: [DONE]`. A connection that ends before
 * it gives KIMI_E_INCOMPLETE, even if a finish reason arrived. A non-JSON
 * payload gives KIMI_E_PARSE naming the byte offset. A non-2xx answer is
 * reported exactly like kimi_chat_create reports it. The idle timeout ends a
 * silent stream with KIMI_E_TIMEOUT; a cancel token or the callback ends it
 * with KIMI_E_ABORTED. Also KIMI_E_INVALID_ARGUMENT, KIMI_E_TRANSPORT,
 * KIMI_E_HTTP.
 *
 * Thread-safe: any number of threads may stream with the same client.
 */
/*@ of(kimi_client) blocks out(final_out: owned) null(on_event, final_out) */
KIMI_API kimi_status kimi_chat_stream(kimi_client *client, const kimi_chat_request *req, kimi_stream_cb on_event,
                                      void *user_data, kimi_chat_response **final_out);

/** The event's KIMI_EVENT_* type, or 0 for NULL. */
/*@ of(kimi_stream_event) accessor */
KIMI_API int kimi_stream_event_type(const kimi_stream_event *event);
/** The event's text (whole UTF-8, NUL-terminated), "" for events without.
    Stores its length in `*len_out` when `len_out` is not NULL. */
/*@ of(kimi_stream_event) accessor returns(borrowed) out(len_out: scalar) null(len_out) */
KIMI_API const char *kimi_stream_event_text(const kimi_stream_event *event, size_t *len_out);
/** The choice the event belongs to, or -1 for stream-wide events. */
/*@ of(kimi_stream_event) accessor */
KIMI_API int kimi_stream_event_choice_index(const kimi_stream_event *event);
/** The tool call's `index` as the server sent it, or -1 for other events.
    Kimi numbers a choice's calls 0, 1, 2, ..., which is also their position
    in the final response (kimi_chat_response_tool_call_id), whatever order
    they arrive in; for servers that leave `index` out, the call's order of
    arrival. */
/*@ of(kimi_stream_event) accessor */
KIMI_API int kimi_stream_event_tool_call_index(const kimi_stream_event *event);
/** The tool call's id, verbatim ("functions.get_weather:0"), or "". */
/*@ of(kimi_stream_event) accessor returns(borrowed) */
KIMI_API const char *kimi_stream_event_tool_call_id(const kimi_stream_event *event);
/** The tool call's function name, or "". */
/*@ of(kimi_stream_event) accessor returns(borrowed) */
KIMI_API const char *kimi_stream_event_tool_call_name(const kimi_stream_event *event);
/** The finish reason of a KIMI_EVENT_FINISH event, or "". */
/*@ of(kimi_stream_event) accessor returns(borrowed) */
KIMI_API const char *kimi_stream_event_finish_reason(const kimi_stream_event *event);
/** The raw data of the chunk the event came from (JSON, or "[DONE]"); ""
    for events of a queue read with kimi_event_queue_read_records (which
    keeps no chunk JSON from then on). */
/*@ of(kimi_stream_event) accessor returns(borrowed) out(len_out: scalar) null(len_out) */
KIMI_API const char *kimi_stream_event_json(const kimi_stream_event *event, size_t *len_out);
/** 1 when no further event comes from the same chunk, else 0: a binding can
    rebuild each chunk from its events without waiting for the next one. */
/*@ of(kimi_stream_event) accessor */
KIMI_API int kimi_stream_event_last_in_chunk(const kimi_stream_event *event);
/**
 * The event's type, text, indexes and last-in-chunk flag in one call, for
 * bindings that pay per call (Python's ctypes): stores the text as
 * kimi_stream_event_text does, the choice and tool-call indexes as their
 * accessors give them, and kimi_stream_event_last_in_chunk's flag (each
 * output may be NULL), and returns the type (0 for NULL).
 */
/*@ of(kimi_stream_event) accessor
    out(text_out: borrowed, len_out: scalar, choice_out: scalar, tool_call_out: scalar, last_out: scalar)
    null(text_out, len_out, choice_out, tool_call_out, last_out) */
KIMI_API int kimi_stream_event_read(const kimi_stream_event *event, const char **text_out, size_t *len_out,
                                    int *choice_out, int *tool_call_out, int *last_out);
/** The completion's id, model and creation time, from the first chunk that
    carried them ("" / 0 before). Valid until the callback returns. */
/*@ of(kimi_stream_event) accessor returns(borrowed) */
KIMI_API const char *kimi_stream_event_completion_id(const kimi_stream_event *event);
/*@ of(kimi_stream_event) accessor returns(borrowed) */
KIMI_API const char *kimi_stream_event_model(const kimi_stream_event *event);
/*@ of(kimi_stream_event) accessor */
KIMI_API int64_t kimi_stream_event_created(const kimi_stream_event *event);
/** Usage of a KIMI_EVENT_USAGE event; -1 for other events or absent counts. */
/*@ of(kimi_stream_event) accessor */
KIMI_API int64_t kimi_stream_event_prompt_tokens(const kimi_stream_event *event);
/*@ of(kimi_stream_event) accessor */
KIMI_API int64_t kimi_stream_event_completion_tokens(const kimi_stream_event *event);
/*@ of(kimi_stream_event) accessor */
KIMI_API int64_t kimi_stream_event_total_tokens(const kimi_stream_event *event);
/*@ of(kimi_stream_event) accessor */
KIMI_API int64_t kimi_stream_event_cached_tokens(const kimi_stream_event *event);
/** For KIMI_EVENT_END, how the task ended (a kimi_status: KIMI_OK or its
    failure); 0 for other events and NULL. */
/*@ of(kimi_stream_event) accessor */
KIMI_API int kimi_stream_event_status(const kimi_stream_event *event);
/** For KIMI_EVENT_PROGRESS and KIMI_EVENT_DATA, how much is done of how much
    (0: not known) into `done_out` and `total_out` (either may be NULL);
    returns 1 for those events, 0 (storing 0s) for others and NULL. */
/*@ of(kimi_stream_event) accessor out(done_out: scalar, total_out: scalar) null(done_out, total_out) */
KIMI_API int kimi_stream_event_progress(const kimi_stream_event *event, int64_t *done_out, int64_t *total_out);
/** For KIMI_EVENT_RESULT, the line's HTTP status (0 when it got no answer);
    0 for other events and NULL. */
/*@ of(kimi_stream_event) accessor */
KIMI_API int kimi_stream_event_http_status(const kimi_stream_event *event);
/** For KIMI_EVENT_RESULT, why the line failed ("" when it succeeded); ""
    for other events and NULL. Valid as the event's text is. */
/*@ of(kimi_stream_event) accessor returns(borrowed) */
KIMI_API const char *kimi_stream_event_error(const kimi_stream_event *event);
/** For a KIMI_EVENT_RESULT line that succeeded, its chat response in `*out`
    (free with kimi_chat_response_free). KIMI_E_INVALID_ARGUMENT (and NULL)
    for another event, a failed line, a NULL event or `out`. On the thread
    the event is read on, while it is valid. */
/*@ of(kimi_stream_event) out(out: owned) */
KIMI_API kimi_status kimi_stream_event_response(const kimi_stream_event *event, kimi_chat_response **out);


/*
 * The same stream, pulled instead of pushed: for iterators (the Python
 * bindings use this) and for code that wants to stop reading at any point.
 * No thread is involved; each kimi_stream_next call reads from the network
 * only when no event is waiting.
 */
typedef struct kimi_stream kimi_stream;

/**
 * Sends `req` with `stream: true` and waits for the answer's headers. On
 * success stores the stream in `*out` (free with kimi_stream_free); on
 * failure stores NULL. Returns the statuses of kimi_chat_stream that can
 * happen before a stream starts (KIMI_E_API, KIMI_E_HTTP, KIMI_E_TRANSPORT,
 * KIMI_E_TIMEOUT, KIMI_E_ABORTED, KIMI_E_INVALID_ARGUMENT, KIMI_E_PARSE).
 * Thread-safe with respect to the client.
 */
/*@ of(kimi_client) blocks out(out: owned) */
KIMI_API kimi_status kimi_chat_stream_open(kimi_client *client, const kimi_chat_request *req, kimi_stream **out);

/**
 * Stores the next event in `*event_out`, or NULL once the stream is over
 * (after KIMI_EVENT_DONE, or once cancelled). The event is valid until the
 * next call on the stream. Returns KIMI_OK, or the status kimi_chat_stream
 * would return (KIMI_E_ABORTED when kimi_stream_cancel stopped it); after a
 * failure the stream is over and kimi_stream_response has the partial
 * response. One thread reads a stream at a time; kimi_stream_cancel and
 * kimi_stream_free may come from others.
 */
/*@ of(kimi_stream) blocks out(event_out: borrowed) */
KIMI_API kimi_status kimi_stream_next(kimi_stream *stream, const kimi_stream_event **event_out);

/**
 * Stops the transfer now, from any thread. A kimi_stream_next blocked in
 * another thread (on a silent server, say) returns KIMI_E_ABORTED at once,
 * without waiting for data or a timeout; what arrived is kept for
 * kimi_stream_response. Later kimi_stream_next calls give no more events.
 * Harmless on a stream that is over. NULL does nothing.
 */
/*@ of(kimi_stream) null(stream) */
KIMI_API void kimi_stream_cancel(kimi_stream *stream);

/**
 * The accumulated response of a stream that is over (ended, failed or
 * cancelled), in `*out`, to free with kimi_chat_response_free. Returns
 * KIMI_OK, or KIMI_E_INVALID_ARGUMENT when the stream is still running.
 */
/*@ of(kimi_stream) out(out: owned) */
KIMI_API kimi_status kimi_stream_response(kimi_stream *stream, kimi_chat_response **out);

/**
 * The head of the stream's answer, from the moment kimi_chat_stream_open
 * returned (or the first kimi_stream_next did): a response in `*out` (free
 * with kimi_chat_response_free) holding only the answer's metadata, read
 * with kimi_chat_response_request_id, _header, _header_count/_name/_value,
 * _http_status, _attempts and _first_byte_ms; it has no choices. Returns
 * KIMI_OK; KIMI_E_PENDING before the headers came; KIMI_E_INVALID_ARGUMENT
 * for a NULL stream or `out`. On the stream's reading thread, not while
 * kimi_stream_next runs.
 */
/*@ of(kimi_stream) out(out: owned) */
KIMI_API kimi_status kimi_stream_head(kimi_stream *stream, kimi_chat_response **out);

/**
 * Frees a stream, stopping its transfer if it is still running. From a
 * second thread while a kimi_stream_next runs in the first, it stops the
 * stream, waits for that call to return (with KIMI_E_ABORTED), then frees:
 * the first thread must not touch the stream after that call. NULL does
 * nothing.
 */
/*@ of(kimi_stream) frees(stream) blocks null(stream) */
KIMI_API void kimi_stream_free(kimi_stream *stream);

/* ------------------------------------------------------------------------ */
/* Tasks: many requests at once on the client's event loop                  */
/* ------------------------------------------------------------------------ */

/*
 * A task is a chat request run in the background by its client's event
 * loop: one thread per client, started by the first task, runs every task
 * on one curl multi handle. A thousand concurrent streams cost a thousand
 * sockets (over HTTP/2, a few multiplexed connections), not a thousand
 * threads. Retries, timeouts, cancel tokens and the connection cap apply
 * as for blocking calls.
 *
 * Callbacks run on the loop thread, one at a time, so a slow callback
 * delays every task of the client. A callback may cancel or free tasks,
 * start new ones, and read its event; it must not wait for a task of the
 * same client. The event pointer a task's callback gets is valid during
 * the callback.
 */
typedef struct kimi_task kimi_task;

/**
 * Starts a streamed chat completion of `req` (read now: free or change it
 * right after). `on_event` (may be NULL) gets the stream's events, as
 * kimi_chat_stream's callback does, then one KIMI_EVENT_END event when the
 * task ends, whatever the outcome. Returning non-zero stops the task (it
 * ends with KIMI_E_ABORTED). `user_data` is passed to `on_event`.
 *
 * On success stores the task in `*out` (free with kimi_task_free); on
 * failure stores NULL. Returns KIMI_OK, or the statuses kimi_chat_stream
 * returns before sending (KIMI_E_INVALID_ARGUMENT for a bad request).
 * Everything later is the task's outcome: see kimi_task_wait. Thread-safe.
 */
/*@ of(kimi_client) out(out: owned) null(on_event) */
KIMI_API kimi_status kimi_chat_stream_start(kimi_client *client, const kimi_chat_request *req, kimi_stream_cb on_event,
                                            void *user_data, kimi_task **out);

/** The non-streamed counterpart of kimi_chat_stream_start: `on_end` (may be
    NULL) gets only the KIMI_EVENT_END event; kimi_task_response gives the
    answer. Returns as kimi_chat_stream_start. */
/*@ of(kimi_client) out(out: owned) null(on_end) */
KIMI_API kimi_status kimi_chat_create_start(kimi_client *client, const kimi_chat_request *req, kimi_stream_cb on_end,
                                            void *user_data, kimi_task **out);

/**
 * Waits until the task ends or `timeout_ms` passes (any negative value: no
 * limit; 0: just look; any positive value up to INT64_MAX is honoured, and
 * waits that long at most). Returns how the task ended (KIMI_OK, or its failure, which then is
 * also the calling thread's last error, as if the call had been blocking),
 * or KIMI_E_PENDING when it still runs. Once it returns an end status, the
 * task's END callback has returned, or its END is in its event queue (with
 * timeout 0, the end status comes just before the END is queued, so a
 * reader that took the END always finds the task ended). Any thread; from
 * a callback of the same client only with timeout 0 (else
 * KIMI_E_INVALID_ARGUMENT).
 */
/*@ of(kimi_task) blocks */
KIMI_API kimi_status kimi_task_wait(kimi_task *task, int64_t timeout_ms);

/** Stops the task: it ends with KIMI_E_ABORTED (its END callback still
    comes) and keeps what arrived; after this returns no event of it but
    its END is delivered (one a callback is handed on the loop thread as
    this is called may still finish). Harmless once it ended. Any thread,
    also from a callback. NULL does nothing. */
/*@ of(kimi_task) null(task) */
KIMI_API void kimi_task_cancel(kimi_task *task);

/** KIMI_E_PENDING while the task runs, then how it ended, leaving the last
    error alone (kimi_task_wait sets it). KIMI_E_INVALID_ARGUMENT for a NULL
    or invalid handle. Any thread. */
/*@ of(kimi_task) */
KIMI_API kimi_status kimi_task_status(const kimi_task *task);

/**
 * The response of an ended task in `*out` (free with
 * kimi_chat_response_free): a create task's answer, or what a stream task
 * accumulated once its stream started, all of it or what arrived before it
 * failed. Returns KIMI_OK; KIMI_E_PENDING while the task runs; otherwise the
 * task's failure (no response; the last error describes it).
 */
/*@ of(kimi_task) out(out: owned) */
KIMI_API kimi_status kimi_task_response(kimi_task *task, kimi_chat_response **out);

/**
 * The head of the task's answer once its headers are in: while a stream
 * task runs (from its first event on) and after any task that got an
 * answer. Stores in `*out` (free with kimi_chat_response_free) a response
 * holding only that metadata: kimi_chat_response_request_id, _header,
 * _header_count/_name/_value, _http_status, _attempts and _first_byte_ms
 * read it; it has no choices (kimi_task_response gives the answer itself
 * once the task ended). Returns KIMI_OK; KIMI_E_PENDING before the headers
 * came (or when the task failed without an answer); KIMI_E_INVALID_ARGUMENT
 * for a NULL task or `out`. Any thread.
 */
/*@ of(kimi_task) out(out: owned) */
KIMI_API kimi_status kimi_task_head(kimi_task *task, kimi_chat_response **out);

/** Frees a task; a running one is cancelled. No callback of the task runs,
    and no event of it is queued, after this returns (called from the task's
    own callback: none after that callback); its queued events not yet taken
    are dropped. NULL does nothing. */
/*@ of(kimi_task) frees(task) blocks null(task) */
KIMI_API void kimi_task_free(kimi_task *task);

/*
 * Event queues: a task's events delivered to the host's own thread. A
 * service with an event loop of its own (asyncio, libuv, epoll) starts tasks
 * with a queue instead of a callback, watches the queue's file descriptor,
 * and when it is readable takes events with kimi_event_queue_next until it
 * gives NULL. No callback runs on a foreign thread, and the host needs no
 * thread of its own.
 *
 * The queue is bounded. After a task queued what one read of its socket
 * brought, it stops reading when 4096 events or 8 MiB of their bytes wait
 * (the event the host holds not counted); whenever the host takes an event,
 * or events are dropped, and at most 1024 events and 2 MiB then wait, every
 * stopped task reads on. A task stops only while events wait, so a host
 * that keeps taking events always resumes it, also after a single delta
 * larger than the bound. TCP flow control holds the rest at the server. A
 * task whose events nobody takes does not finish (a paused task is not
 * idle, so only the whole-request timeout or kimi_task_cancel ends it), and
 * kimi_task_wait on it waits as long.
 */
typedef struct kimi_event_queue kimi_event_queue;

/** A new, empty queue in `*out` (free with kimi_event_queue_free, after
    the tasks that use it). Returns KIMI_OK, KIMI_E_INVALID_ARGUMENT for a
    NULL `out`, or KIMI_E_INTERNAL when no eventfd can be made. */
/*@ of(kimi_event_queue) out(out: owned) */
KIMI_API kimi_status kimi_event_queue_new(kimi_event_queue **out);
/** Frees a queue and every event still in it. NULL does nothing. */
/*@ of(kimi_event_queue) frees(queue) null(queue) */
KIMI_API void kimi_event_queue_free(kimi_event_queue *queue);
/** A file descriptor that is readable exactly while events wait
    (level-triggered: an eventfd). Owned by the queue: never read or close
    it. -1 for NULL. Any thread. */
/*@ of(kimi_event_queue) accessor */
KIMI_API int kimi_event_queue_fd(const kimi_event_queue *queue);
/**
 * Takes the next event into `*event_out`, or stores NULL when none waits.
 * Read it with the kimi_stream_event_* accessors (and
 * kimi_stream_event_task / _user_data to know which task it is from); it,
 * and every string its accessors return (whatever else is read from it in
 * between), stays valid until the next call of kimi_event_queue_next or
 * kimi_event_queue_read on the queue, or until the queue is freed.
 * Events come in each task's order; a task's last event is KIMI_EVENT_END.
 * Returns KIMI_OK, or KIMI_E_INVALID_ARGUMENT for a NULL queue or
 * `event_out`. One thread at a time takes events from a queue.
 */
/*@ of(kimi_event_queue) out(event_out: borrowed) */
KIMI_API kimi_status kimi_event_queue_next(kimi_event_queue *queue, const kimi_stream_event **event_out);

/**
 * kimi_chat_stream_start and kimi_chat_create_start with the task's events
 * copied into `queue` instead of passed to a callback. `user_data` comes
 * back with each event (kimi_stream_event_user_data). Cancelling the task
 * drops its events not yet taken but its KIMI_EVENT_END, which always comes
 * (already queued, or queued when it stops); freeing it drops them all.
 * Returns as kimi_chat_stream_start, and
 * KIMI_E_INVALID_ARGUMENT for a NULL or wrong queue. Thread-safe.
 */
/*@ of(kimi_client) out(out: owned) */
KIMI_API kimi_status kimi_chat_stream_start_queued(kimi_client *client, const kimi_chat_request *req,
                                                   kimi_event_queue *queue, void *user_data, kimi_task **out);
/*@ of(kimi_client) out(out: owned) */
KIMI_API kimi_status kimi_chat_create_start_queued(kimi_client *client, const kimi_chat_request *req,
                                                   kimi_event_queue *queue, void *user_data, kimi_task **out);
/**
 * kimi_event_queue_next, kimi_stream_event_user_data and
 * kimi_stream_event_read in one call, for bindings whose calls into C cost
 * more than the work (one call per event instead of three): takes the next
 * event into `*event_out` (NULL when none waits), the `user_data` its task
 * was started with into `*user_data_out`, and its text, choice, tool call
 * and last-in-chunk flag as kimi_stream_event_read does. Returns the
 * event's KIMI_EVENT_* type, or 0 when no event waits or for a NULL queue.
 * Any output but `event_out` may be NULL. One thread at a time.
 */
/*@ of(kimi_event_queue)
    out(event_out: borrowed, user_data_out: borrowed, text_out: borrowed, len_out: scalar, choice_out: scalar,
        tool_call_out: scalar, last_out: scalar)
    null(queue, user_data_out, text_out, len_out, choice_out, tool_call_out, last_out) */
KIMI_API int kimi_event_queue_read(kimi_event_queue *queue, const kimi_stream_event **event_out, void **user_data_out,
                                   const char **text_out, size_t *len_out, int32_t *choice_out,
                                   int32_t *tool_call_out, int32_t *last_out);
/** The task a queued event came from (borrowed from the caller, who still
    owns and frees it); NULL for a NULL event or one that was not queued.
    On the thread taking the queue's events. */
/*@ of(kimi_stream_event) accessor returns(borrowed) */
KIMI_API kimi_task *kimi_stream_event_task(const kimi_stream_event *event);
/** The `user_data` its task was started with, for queued events; NULL for a
    NULL event or one that was not queued. On the thread taking the queue's
    events. */
/*@ of(kimi_stream_event) accessor returns(borrowed) */
KIMI_API void *kimi_stream_event_user_data(const kimi_stream_event *event);

/* ------------------------------------------------------------------------ */
/* Records: many events per call, for bindings                              */
/* ------------------------------------------------------------------------ */

/*
 * A binding that pays for each call into C (Python's ctypes) reads a
 * stream, or an event queue, as records: one call fills the caller's buffer
 * with every event already received, as plain bytes, instead of one call
 * per event and more per field. A pull stream's call reads the network only
 * when no whole message waits, so a stream costs one call per network read.
 *
 * Layout, in the host's byte order. Records follow one another from the
 * start of the buffer; each record and each part starts at a multiple of 8
 * bytes from it, so an 8-byte aligned buffer can be read through the structs
 * below. Padding bytes are 0. Every length is checked before anything is
 * written: a record lies whole inside the bytes reported, never beyond.
 *
 *   record  = kimi_record (16 bytes), then what its type says:
 *   KIMI_RECORD_EVENTS      `count` parts: the events of one server chunk
 *                           (one message of a non-chat task), in order;
 *                           the last part is the chunk's last event
 *   KIMI_RECORD_COMPLETION  int64 created, uint32 id length, uint32 model
 *                           length, then the id's and the model's bytes:
 *                           the completion's id, model and creation time
 *                           (kimi_stream_event_completion_id ...), written
 *                           before the first EVENTS record of a stream or
 *                           task once they are known, and again if one
 *                           becomes known later
 *   part    = kimi_record_part (16 bytes), then `len` bytes, then `len2`
 *             bytes, then padding to 8
 *
 * A part is one event (kimi_record_part.type is its KIMI_EVENT_* type), its
 * bytes as the event's accessors give them, without NUL terminators:
 *   ROLE, REASONING_DELTA, CONTENT_DELTA, TOOL_CALL_DELTA, FINISH: the text
 *       (the arguments piece; the finish reason) in `len`
 *   TOOL_CALL_START, TOOL_CALL_DONE: the tool call's id, then its name (`len2`)
 *   USAGE: four int64 (len 32): prompt, completion, total and cached tokens,
 *       -1 where absent; choice -1 for the include_usage chunk's
 *   DONE: nothing
 *   END: nothing; `index` holds the task's status (a kimi_status)
 *   PROGRESS, DATA: two int64 (len 16): done and total, then the text (a
 *       batch's status) or the data's bytes in `len2`
 *   RESULT: the line's custom id, then its error ("" when it succeeded) in
 *       `len2`; `index` holds its HTTP status
 * `choice` is the event's choice index (-1 for stream-wide events);
 * `index` is the tool call's index for tool-call events (as
 * kimi_stream_event_tool_call_index gives it), as above for END and RESULT,
 * else -1. Other types may be added; skip a part you do not know by its
 * lengths, a record by its size.
 */
enum {
    /** `count` events of one chunk. */
    KIMI_RECORD_EVENTS = 1,
    /** A completion's id, model and creation time. */
    KIMI_RECORD_COMPLETION = 2,
    /** What a whole response's records say beyond its chunks
        (kimi_chat_response_read_records). */
    KIMI_RECORD_RESPONSE = 3
};

/** A record's header. */
typedef struct kimi_record {
    /** Bytes of the whole record, this header and padding included: a
        multiple of 8, at least 32. */
    uint32_t size;
    /** KIMI_RECORD_EVENTS, KIMI_RECORD_COMPLETION or KIMI_RECORD_RESPONSE. */
    uint16_t type;
    /** Parts that follow (EVENTS); 0 otherwise. */
    uint16_t count;
    /** The `user_data` the event's task was started with, as an integer
        (queues); 0 for a kimi_stream's records. */
    uint64_t user_data;
} kimi_record;

/** An event's header inside a KIMI_RECORD_EVENTS record. */
typedef struct kimi_record_part {
    /** The event's KIMI_EVENT_* type. */
    uint8_t type;
    /** 0. */
    uint8_t reserved;
    /** The event's choice index, -1 for stream-wide events. */
    int16_t choice;
    /** The tool call's index, END's status or RESULT's HTTP status; else -1. */
    int32_t index;
    /** Bytes of the first text (or of the numbers) that follow. */
    uint32_t len;
    /** Bytes of the second text, after the first. */
    uint32_t len2;
} kimi_record_part;

/**
 * Writes the stream's events as records into `buffer` (`capacity` bytes)
 * and stores in `*len_out` the bytes written: every chunk already received,
 * as many as fit, reading the network (blocking, as kimi_stream_next does)
 * only when none is waiting and nothing was written yet. The chunk
 * `data: [DONE]` made is a record with a DONE part; after it, and once the
 * stream is cancelled, the call writes nothing (`*len_out` 0, KIMI_OK).
 *
 * Returns KIMI_OK; a failure of the stream, as kimi_stream_next returns it
 * (KIMI_E_INCOMPLETE, KIMI_E_API, ...; kimi_stream_response then has the
 * partial response): when records were written first, the call returns
 * them with KIMI_OK and the next call returns the failure, once. A record
 * larger than `capacity` (one delta can be as large as the client's
 * max_event_bytes) is not dropped: when it is the first of the call,
 * nothing is written, `*len_out` receives its size and the call returns
 * KIMI_E_TOO_LARGE; it waits for a call with a buffer at least that large.
 * KIMI_E_TOO_LARGE with `*len_out` 0 is the stream's own failure (an event
 * over max_event_bytes), or a message no record can hold (passed over, as
 * kimi_event_queue_read_records does). KIMI_E_INVALID_ARGUMENT for a NULL stream, buffer
 * or `len_out`, and for a stream already read with kimi_stream_next (a
 * stream is read one way). One thread reads a stream at a time;
 * kimi_stream_cancel and kimi_stream_free may come from others, as for
 * kimi_stream_next. The buffer is the caller's; nothing points into it
 * after the call.
 */
/*@ of(kimi_stream) blocks out(len_out: scalar) */
KIMI_API kimi_status kimi_stream_read_records(kimi_stream *stream, void *buffer, size_t capacity, size_t *len_out);

/**
 * Takes the queue's waiting events as records into `buffer` (`capacity`
 * bytes), whole chunks of each task at a time, in the queue's order, and
 * stores in `*len_out` the bytes written (0 when none waits). Never waits.
 * Each record's `user_data` says which task it is from; a task's last part
 * is its END. The last event taken is the queue's current event afterwards,
 * as after kimi_event_queue_next: the call stops after an event that
 * carries more than its record holds (a RESULT line's response, the batch
 * of kimi_batch_wait_start's PROGRESS), so kimi_stream_event_response or
 * kimi_stream_event_batch can read it from the queue handle (a `const
 * kimi_stream_event *`) before the next call. Taking events lets paused
 * tasks read on, as kimi_event_queue_next does. Records carry no chunk
 * JSON, so once a queue was read this way it keeps none: events queued
 * after the first call have "" for kimi_stream_event_json (a queue is
 * meant to be read one way; the other accessors are unaffected).
 *
 * Returns KIMI_OK; KIMI_E_TOO_LARGE when the first record waiting is larger
 * than `capacity`, with its size in `*len_out` and nothing taken (call
 * again with a buffer at least that large); KIMI_E_TOO_LARGE with
 * `*len_out` 0 for a message no record can hold (over 4 GiB or 65,535
 * parts, which the library's limits keep from happening): it is passed over,
 * not made the current event, and the next call goes on after it (records
 * written before it in the call are returned first, with KIMI_OK);
 * KIMI_E_INVALID_ARGUMENT for a NULL queue, buffer or `len_out`. One thread
 * at a time takes a queue's events, whichever function it uses.
 */
/*@ of(kimi_event_queue) out(len_out: scalar) */
KIMI_API kimi_status kimi_event_queue_read_records(kimi_event_queue *queue, void *buffer, size_t capacity,
                                                   size_t *len_out);

/** KIMI_RECORD_RESPONSE's flag: the records hold the whole JSON. */
#define KIMI_RESPONSE_RECORDS_WHOLE 1u

/**
 * Writes the whole response as records into `buffer` (`capacity` bytes),
 * all or none, and stores in `*len_out` the bytes written: a binding builds
 * its result from this one call instead of reading the JSON
 * (kimi_chat_response_json) and each accessor. In order:
 *
 *   KIMI_RECORD_RESPONSE    double cost_usd, int64 web_search_calls, uint32
 *                           flags, uint32 request id length, uint32 prefix
 *                           length, uint32 0, then the request id's and the
 *                           Partial Mode prefix's bytes (as
 *                           kimi_chat_response_cost_usd, _web_search_calls,
 *                           _request_id give them; the prefix is what
 *                           kimi_chat_response_full_content puts before
 *                           choice 0's content)
 *   KIMI_RECORD_COMPLETION  the id, model and creation time
 *   KIMI_RECORD_EVENTS      one per choice, in order (`choice` is its
 *                           position, as the accessors' index): ROLE,
 *                           REASONING_DELTA, CONTENT_DELTA, for each tool
 *                           call TOOL_CALL_START (id, name) and
 *                           TOOL_CALL_DELTA (its whole arguments; `index` its
 *                           position), FINISH, USAGE (the choice's own, Kimi's
 *                           choices[i].usage); a choice of more than 65,535
 *                           parts goes on in the records after it
 *   KIMI_RECORD_EVENTS      a USAGE part with choice -1: the response's usage
 *                           (when it has one)
 *
 * With KIMI_RESPONSE_RECORDS_WHOLE in `flags`, the records hold everything
 * the JSON holds: the body had only Kimi's documented members (id, object
 * "chat.completion", created, model, choices with index in order, message
 * with role, content, reasoning_content, tool_calls of id, type "function"
 * and function name and string arguments, finish_reason, usage of counts
 * with cached_tokens at the top, in prompt_tokens_details or both, the
 * same), none null, and every text as received (the JSON is the body
 * unchanged). Then a part is written exactly for each member the body had
 * (a message without reasoning_content has no REASONING_DELTA part), and a
 * USAGE part's `index` says where its cached tokens were: bit 0 the top
 * level, bit 1 prompt_tokens_details. Without the flag, the parts are what
 * the accessors give (the texts that are empty left out, content always)
 * and a binding that needs the rest reads the JSON.
 *
 * Returns KIMI_OK; KIMI_E_TOO_LARGE when the records do not fit, with the
 * size they need in `*len_out` and nothing written (call again with a
 * buffer at least that large), or with `*len_out` 0 when no records can
 * name the response's choices (more than 32,768: read its JSON);
 * KIMI_E_INVALID_ARGUMENT for a NULL response, buffer or `len_out`.
 * Several threads may read one response at once. The buffer is the
 * caller's; nothing points into it after the call.
 */
/*@ of(kimi_chat_response) out(len_out: scalar) */
KIMI_API kimi_status kimi_chat_response_read_records(const kimi_chat_response *resp, void *buffer, size_t capacity,
                                                     size_t *len_out);

/* ------------------------------------------------------------------------ */
/* Conversations and the tool loop                                          */
/* ------------------------------------------------------------------------ */

/**
 * A chat that keeps its history the way Kimi needs it back: after each call
 * the assistant's reply is appended with its content, its reasoning_content
 * (always on tool-call turns; on every turn with KIMI_THINKING_KEEP_ALL) and
 * its tool calls with their ids verbatim. A conversation belongs to one
 * thread at a time; it keeps its client alive.
 */
typedef struct kimi_conversation kimi_conversation;

/** A conversation with `client` and `model` (NULL: "kimi-k2.6"), or NULL (with
    the last error set) for a NULL client or invalid model. Free with
    kimi_conversation_free. */
/*@ of(kimi_conversation) returns(owned) null(model) */
KIMI_API kimi_conversation *kimi_conversation_new(kimi_client *client, const char *model);
/*@ of(kimi_conversation) frees(conv) null(conv) */
KIMI_API void kimi_conversation_free(kimi_conversation *conv);

/**
 * The conversation's request: its settings (thinking, max tokens, tools,
 * response format, ...) and its history as messages. Change it with the
 * kimi_chat_request_* functions. Borrowed: valid while the conversation
 * lives; never free it. NULL for a NULL conversation.
 */
/*@ of(kimi_conversation) accessor returns(borrowed) */
KIMI_API kimi_chat_request *kimi_conversation_request(kimi_conversation *conv);

/*
 * Conversation setters copy their arguments and return KIMI_OK, or
 * KIMI_E_INVALID_ARGUMENT for a NULL conversation or string, invalid UTF-8
 * or JSON, or a value the request refuses (named in the message).
 */
/** Appends a text message ("system", "user" or "assistant"). */
/*@ of(kimi_conversation) */
KIMI_API kimi_status kimi_conversation_add_message(kimi_conversation *conv, const char *role, const char *text);
/** Appends a copy of `msg` (images and video included). */
/*@ of(kimi_conversation) */
KIMI_API kimi_status kimi_conversation_append_message(kimi_conversation *conv, const kimi_message *msg);
/** Appends a tool result for the call `tool_call_id` of function `name`. */
/*@ of(kimi_conversation) */
KIMI_API kimi_status kimi_conversation_add_tool_result(kimi_conversation *conv, const char *tool_call_id,
                                                       const char *name, const char *content);
/** Number of messages in the history. */
/*@ of(kimi_conversation) accessor */
KIMI_API size_t kimi_conversation_message_count(const kimi_conversation *conv);

/** Sends the history (not streamed) and appends the reply. `out` as for
    kimi_chat_create, and statuses as kimi_chat_create. On failure the
    history is unchanged. */
/*@ of(kimi_conversation) blocks out(out: owned) */
KIMI_API kimi_status kimi_conversation_create(kimi_conversation *conv, kimi_chat_response **out);
/** Streams the reply like kimi_chat_stream (statuses as kimi_chat_stream;
    `on_event` and `final_out` may be NULL, as there); appends it to the
    history only when the stream completes. */
/*@ of(kimi_conversation) blocks out(final_out: owned) null(on_event, final_out) */
KIMI_API kimi_status kimi_conversation_stream(kimi_conversation *conv, kimi_stream_cb on_event, void *user_data,
                                              kimi_chat_response **final_out);

/** Where a tool handler writes its answer for the model. */
typedef struct kimi_tool_result kimi_tool_result;

/**
 * A tool handler: runs function `name` with its JSON `arguments_json` (always
 * a JSON object), writes the answer with kimi_tool_result_set_text, and
 * returns 0; a positive value for a failure whose text goes to the model
 * (the loop goes on); or a negative value to stop the loop at once
 * (kimi_conversation_run then returns KIMI_E_ABORTED). Called on the thread
 * running kimi_conversation_run.
 */
typedef int (*kimi_tool_fn)(const char *name, const char *arguments_json, kimi_tool_result *result, void *user_data);

/** Sets the text the model gets back for this tool call (copied). */
/*@ of(kimi_tool_result) */
KIMI_API kimi_status kimi_tool_result_set_text(kimi_tool_result *result, const char *text);

/** Declares a function tool (as kimi_chat_request_add_tool with strict left
    out) and the handler kimi_conversation_run calls for it. `user_data` is
    passed to `fn`. `description` and `parameters_json` may be NULL, as
    there. Declaring a name again replaces it. */
/*@ of(kimi_conversation) null(description, parameters_json) */
KIMI_API kimi_status kimi_conversation_add_tool(kimi_conversation *conv, const char *name, const char *description,
                                                const char *parameters_json, kimi_tool_fn fn, void *user_data);
/** Declares Kimi's `$web_search`: kimi_conversation_run echoes its arguments
    back, as Kimi requires, and sends thinking disabled while it is declared
    (Kimi's $web_search does not work with thinking on; this is logged). */
/*@ of(kimi_conversation) */
KIMI_API kimi_status kimi_conversation_add_web_search(kimi_conversation *conv);

/**
 * The automatic tool loop: calls the model (streamed when `on_event` is not
 * NULL, with every event passed to it), runs every tool it asks for,
 * appends the results, and calls again, until the model answers without
 * tool calls. An unknown tool, invalid JSON arguments or a failing handler
 * becomes an error text for the model, not a failure of the loop.
 * `final_out` (may be NULL) gets the last response. Returns KIMI_OK;
 * KIMI_E_STEP_LIMIT after `max_steps` model calls with tools still pending;
 * or a call's failure (the history then ends before that call).
 */
/*@ of(kimi_conversation) blocks out(final_out: owned) null(on_event, final_out) */
KIMI_API kimi_status kimi_conversation_run(kimi_conversation *conv, int max_steps, kimi_stream_cb on_event,
                                           void *user_data, kimi_chat_response **final_out);

/** Partial Mode: the next reply continues `prefix` (`name` may be NULL); the
    history then holds prefix and continuation as one assistant message. */
/*@ of(kimi_conversation) null(name) */
KIMI_API kimi_status kimi_conversation_prefill(kimi_conversation *conv, const char *prefix, const char *name);
/** Continues the last assistant answer (one that stopped with finish_reason
    "length"); streamed when `on_event` is not NULL. The history ends with the
    whole answer. KIMI_E_INVALID_ARGUMENT when the history does not end with
    an assistant answer, or when the last answer was cut while the model was
    still reasoning (no content: such an answer is not added to the history;
    raise max_completion_tokens and ask again). `final_out` (may be NULL)
    gets the response, as kimi_conversation_run's does. */
/*@ of(kimi_conversation) blocks out(final_out: owned) null(on_event, final_out) */
KIMI_API kimi_status kimi_conversation_continue(kimi_conversation *conv, kimi_stream_cb on_event, void *user_data,
                                                kimi_chat_response **final_out);

/** The history as a JSON array of messages, to persist a chat; free with
    kimi_string_free. NULL (with the last error set) for a NULL conversation. */
/*@ of(kimi_conversation) returns(owned) */
KIMI_API char *kimi_conversation_to_json(const kimi_conversation *conv);
/** Replaces the history with a JSON array of messages (from
    kimi_conversation_to_json or any OpenAI-style history). */
/*@ of(kimi_conversation) */
KIMI_API kimi_status kimi_conversation_load_json(kimi_conversation *conv, const char *json);

/* ------------------------------------------------------------------------ */
/* Cost accounting                                                          */
/* ------------------------------------------------------------------------ */

/*
 * A client keeps running totals of every response it produced: chat calls,
 * finished or stopped streams, tasks, conversation turns, and successful
 * batch result lines (each line once, however often the results are read).
 * Each response is counted exactly once. Thread-safe; a NULL client reads 0.
 */
/*@ of(kimi_client) accessor */
KIMI_API int64_t kimi_client_usage_prompt_tokens(const kimi_client *client);
/** Of the prompt tokens, those billed at the cached price. */
/*@ of(kimi_client) accessor */
KIMI_API int64_t kimi_client_usage_cached_tokens(const kimi_client *client);
/*@ of(kimi_client) accessor */
KIMI_API int64_t kimi_client_usage_completion_tokens(const kimi_client *client);
/** Responses counted. */
/*@ of(kimi_client) accessor */
KIMI_API int64_t kimi_client_usage_responses(const kimi_client *client);
/** `$web_search` calls billed (kimi_chat_response_web_search_calls summed). */
/*@ of(kimi_client) accessor */
KIMI_API int64_t kimi_client_usage_web_search_calls(const kimi_client *client);
/** The total cost in US dollars under the client's prices, tokens and
    `$web_search` calls. */
/*@ of(kimi_client) accessor */
KIMI_API double kimi_client_usage_cost_usd(const kimi_client *client);
/** Sets the totals back to zero (batch lines read later count again). NULL
    does nothing. Thread-safe. */
/*@ of(kimi_client) null(client) */
KIMI_API void kimi_client_usage_reset(kimi_client *client);

/* ------------------------------------------------------------------------ */
/* Batches                                                                  */
/* ------------------------------------------------------------------------ */

/**
 * A batch input file being written: one JSONL line per chat request,
 * `{"custom_id", "method":"POST", "url":"/v1/chat/completions", "body"}`.
 * Lines go to disk as they are added, so memory stays flat however many
 * requests there are. Belongs to one thread at a time.
 */
typedef struct kimi_batch_input kimi_batch_input;

/** Creates (or truncates) the file at `path` for writing. Returns NULL (with
    the last error set) for a NULL path or a file that cannot be created.
    Free with kimi_batch_input_free. */
/*@ of(kimi_batch_input) returns(owned) */
KIMI_API kimi_batch_input *kimi_batch_input_new(const char *path);
/**
 * Appends `req` (its body as kimi_chat_create would send it; media inline)
 * as the next line, under `custom_id`. Kimi's batch rules apply: one model
 * per file (the model of line 1), a model the Batch API serves (kimi-k2.6
 * and kimi-k2.5), no field Kimi's API reference does not list (a chat call
 * sends those with a log line; a batch line has nobody to tell), and no
 * sampling fields: their values are fixed on those
 * models and Kimi's batch guide says to leave them out, so the fixed value
 * is left out of the line and another is refused. Refused, with nothing
 * written, with KIMI_E_INVALID_ARGUMENT naming the line number for: a NULL
 * or empty custom_id, one already used (the message names the first line),
 * a request that fails Kimi's pre-flight checks or the batch rules, a line
 * that would take the file over Kimi's 100 MB limit, or an input already
 * closed.
 */
/*@ of(kimi_batch_input) blocks */
KIMI_API kimi_status kimi_batch_input_add(kimi_batch_input *input, const char *custom_id,
                                          const kimi_chat_request *req);
/** Lines added so far; 0 for NULL. Never fails. */
/*@ of(kimi_batch_input) accessor */
KIMI_API size_t kimi_batch_input_count(const kimi_batch_input *input);
/** Writes what is buffered and closes the file; stores the number of lines
    in `*count_out` (may be NULL). Closing again does nothing. Returns KIMI_OK
    or KIMI_E_INVALID_ARGUMENT (NULL input, a write error such as a full
    disk, named with the path). */
/*@ of(kimi_batch_input) blocks out(count_out: scalar) null(count_out) */
KIMI_API kimi_status kimi_batch_input_close(kimi_batch_input *input, size_t *count_out);
/** Closes the file (as kimi_batch_input_close, errors ignored) and frees the
    writer; the file stays. NULL does nothing. */
/*@ of(kimi_batch_input) frees(input) blocks null(input) */
KIMI_API void kimi_batch_input_free(kimi_batch_input *input);

/**
 * A batch job. Its status is one of "validating", "failed", "in_progress",
 * "finalizing", "completed", "expired", "cancelling", "cancelled".
 * kimi_batch_wait and kimi_batch_cancel update it in place; strings read
 * from it stay valid until then (or until it is freed). Belongs to one
 * thread at a time.
 */
typedef struct kimi_batch kimi_batch;

/**
 * Uploads the JSONL file at `jsonl_path` (purpose "batch"; uploaded under a
 * name ending in ".jsonl", as Kimi requires) and creates a batch of chat
 * completions from it, stored in `*out` (free with
 * kimi_batch_free). `completion_window`: whole hours or days from "12h" to
 * "7d" ("168h"); NULL means "24h". `metadata_json`: NULL or a JSON object
 * of at most 16 string values, keys up to 64 and values up to 512
 * characters. The window, the metadata and the 100 MB file limit are
 * checked before any request, with KIMI_E_INVALID_ARGUMENT naming the
 * limit (so are a NULL client, path or `out`). Otherwise returns the
 * statuses of kimi_file_upload. On failure `*out` is NULL. Thread-safe.
 */
/*@ of(kimi_client) blocks out(out: owned) null(completion_window, metadata_json) */
KIMI_API kimi_status kimi_batch_submit(kimi_client *client, const char *jsonl_path, const char *completion_window,
                                       const char *metadata_json, kimi_batch **out);
/** Like kimi_batch_submit for a file already uploaded with purpose "batch".
    Statuses as kimi_batch_submit. */
/*@ of(kimi_client) blocks out(out: owned) null(completion_window, metadata_json) */
KIMI_API kimi_status kimi_batch_create(kimi_client *client, const char *input_file_id,
                                       const char *completion_window, const char *metadata_json, kimi_batch **out);
/** Fetches batch `batch_id` into `*out` (free with kimi_batch_free). An
    unknown id gives KIMI_E_API with HTTP status 404. Thread-safe. */
/*@ of(kimi_client) blocks out(out: owned) */
KIMI_API kimi_status kimi_batch_retrieve(kimi_client *client, const char *batch_id, kimi_batch **out);
/**
 * Asks Kimi to cancel the batch and updates `batch` (usually to
 * "cancelling"; kimi_batch_wait then sees "cancelled"). Only a
 * "validating", "in_progress" or "finalizing" batch can be cancelled;
 * any other gives KIMI_E_INVALID_ARGUMENT naming its status, without a
 * request (as does a NULL client or batch). Otherwise the statuses of
 * kimi_chat_create. On failure `batch` is unchanged. The client may be
 * shared; the batch belongs to the calling thread.
 */
/*@ of(kimi_client) blocks */
KIMI_API kimi_status kimi_batch_cancel(kimi_client *client, kimi_batch *batch);

/** Called after each poll of kimi_batch_wait, on the waiting thread, with the
    updated batch and its request counts. Return 0 to go on waiting,
    non-zero to stop (the batch itself runs on). */
typedef int (*kimi_batch_progress_cb)(const kimi_batch *batch, int64_t completed, int64_t failed, int64_t total,
                                      void *user_data);

/**
 * Polls the batch until it is "completed", "failed", "expired" or
 * "cancelled", updating `batch` in place and calling `cb` (may be NULL)
 * after each poll. The first poll is immediate; then it waits `poll_ms`
 * (0: 1000), growing by half each time nothing changed, up to a minute (or
 * `poll_ms`, if longer). Returns KIMI_OK once a final state is reached (a
 * failed batch included: read kimi_batch_status and
 * kimi_batch_error_message); KIMI_E_ABORTED when `cb` stopped it or the
 * batch's cancel token fired (kimi_batch_set_cancel_token; the wait ends
 * at once); KIMI_E_INVALID_ARGUMENT for a NULL client or batch; or a poll's
 * failure (transient ones are retried). The client may be shared; the
 * batch belongs to the calling thread.
 */
/*@ of(kimi_client) blocks null(cb) */
KIMI_API kimi_status kimi_batch_wait(kimi_client *client, kimi_batch *batch, uint32_t poll_ms,
                                     kimi_batch_progress_cb cb, void *user_data);

/**
 * One result line. `custom_id` is the id the request was added with.
 * `resp` is the chat completion of a successful line (borrowed for the
 * call: read it with the kimi_chat_response_* accessors, never free it),
 * NULL for a failed one. `http_status` is the line's status code (0 when
 * the request got no response). `error_message` is NULL on success, else
 * why the line failed ("code: message"). Return 0 to go on, non-zero to
 * stop.
 */
typedef int (*kimi_batch_result_cb)(const char *custom_id, const kimi_chat_response *resp, int http_status,
                                    const char *error_message, void *user_data);

/**
 * Streams the batch's output file and then its error file line by line
 * (only one line is held in memory), calling `cb` for each. Successful
 * lines are added to the client's usage totals once. A line that cannot be
 * decoded is reported as a failed line saying so, never skipped. Returns
 * KIMI_OK; KIMI_E_ABORTED when `cb` stopped it or the cancel token fired;
 * KIMI_E_INVALID_ARGUMENT for a NULL client, batch or `cb`, or a batch
 * without results yet (the message names its status); KIMI_E_PARSE for a
 * batch whose output or error file id is not an id (a server's path or
 * query), naming the field, before that file is asked for; or the failure
 * of reading a file. `cb` runs on the calling thread. Thread-safe for the
 * client; the batch is only read.
 */
/*@ of(kimi_client) blocks */
KIMI_API kimi_status kimi_batch_results(kimi_client *client, const kimi_batch *batch, kimi_batch_result_cb cb,
                                        void *user_data);

/** A token (NULL: none) that ends kimi_batch_wait, kimi_batch_results and
    kimi_batch_cancel on this batch with KIMI_E_ABORTED; the batch keeps a
    reference, so the token may be freed at any time. Returns KIMI_OK, or
    KIMI_E_INVALID_ARGUMENT for a NULL batch or a handle of the wrong kind. */
/*@ of(kimi_batch) null(token) */
KIMI_API kimi_status kimi_batch_set_cancel_token(kimi_batch *batch, kimi_cancel_token *token);

/** Frees a batch. NULL does nothing. Never pass one borrowed from a page. */
/*@ of(kimi_batch) frees(batch) null(batch) */
KIMI_API void kimi_batch_free(kimi_batch *batch);

/* Batch accessors; "" or 0 when absent. */
/*@ of(kimi_batch) accessor returns(borrowed) */
KIMI_API const char *kimi_batch_id(const kimi_batch *batch);
/*@ of(kimi_batch) accessor returns(borrowed) */
KIMI_API const char *kimi_batch_status(const kimi_batch *batch);
/** 1 when the status is final (completed, failed, expired, cancelled). */
/*@ of(kimi_batch) accessor */
KIMI_API int kimi_batch_is_final(const kimi_batch *batch);
/*@ of(kimi_batch) accessor returns(borrowed) */
KIMI_API const char *kimi_batch_input_file_id(const kimi_batch *batch);
/*@ of(kimi_batch) accessor returns(borrowed) */
KIMI_API const char *kimi_batch_output_file_id(const kimi_batch *batch);
/*@ of(kimi_batch) accessor returns(borrowed) */
KIMI_API const char *kimi_batch_error_file_id(const kimi_batch *batch);
/*@ of(kimi_batch) accessor returns(borrowed) */
KIMI_API const char *kimi_batch_completion_window(const kimi_batch *batch);
/** Why a batch failed validation: its first error, "code: message (line N)". */
/*@ of(kimi_batch) accessor returns(borrowed) */
KIMI_API const char *kimi_batch_error_message(const kimi_batch *batch);
/* request_counts */
/*@ of(kimi_batch) accessor */
KIMI_API int64_t kimi_batch_total(const kimi_batch *batch);
/*@ of(kimi_batch) accessor */
KIMI_API int64_t kimi_batch_completed(const kimi_batch *batch);
/*@ of(kimi_batch) accessor */
KIMI_API int64_t kimi_batch_failed(const kimi_batch *batch);
/* Timestamps in Unix seconds, 0 until the batch gets there. */
/*@ of(kimi_batch) accessor */
KIMI_API int64_t kimi_batch_created_at(const kimi_batch *batch);
/*@ of(kimi_batch) accessor */
KIMI_API int64_t kimi_batch_in_progress_at(const kimi_batch *batch);
/*@ of(kimi_batch) accessor */
KIMI_API int64_t kimi_batch_finalizing_at(const kimi_batch *batch);
/*@ of(kimi_batch) accessor */
KIMI_API int64_t kimi_batch_completed_at(const kimi_batch *batch);
/*@ of(kimi_batch) accessor */
KIMI_API int64_t kimi_batch_failed_at(const kimi_batch *batch);
/*@ of(kimi_batch) accessor */
KIMI_API int64_t kimi_batch_expired_at(const kimi_batch *batch);
/*@ of(kimi_batch) accessor */
KIMI_API int64_t kimi_batch_cancelling_at(const kimi_batch *batch);
/*@ of(kimi_batch) accessor */
KIMI_API int64_t kimi_batch_cancelled_at(const kimi_batch *batch);
/*@ of(kimi_batch) accessor */
KIMI_API int64_t kimi_batch_expires_at(const kimi_batch *batch);
/** The batch object's JSON as last received. */
/*@ of(kimi_batch) accessor returns(borrowed) out(len_out: scalar) null(len_out) */
KIMI_API const char *kimi_batch_json(const kimi_batch *batch, size_t *len_out);

/** A page of batches, newest first. */
typedef struct kimi_batch_page kimi_batch_page;

/** Lists up to `limit` (1 to 100) batches after the id `after` (NULL: from
    the newest) into `*out` (free with kimi_batch_page_free). Returns
    KIMI_OK, KIMI_E_INVALID_ARGUMENT for a bad `after` or `limit`, or the
    statuses of kimi_chat_create. Thread-safe. */
/*@ of(kimi_client) blocks out(out: owned) null(after) */
KIMI_API kimi_status kimi_batch_list(kimi_client *client, const char *after, int limit, kimi_batch_page **out);
/*@ of(kimi_batch_page) accessor */
KIMI_API size_t kimi_batch_page_count(const kimi_batch_page *page);
/** Batch `i`, borrowed from the page (NULL when out of range): read it with
    the accessors above, never free it. */
/*@ of(kimi_batch_page) accessor returns(borrowed) */
KIMI_API const kimi_batch *kimi_batch_page_get(const kimi_batch_page *page, size_t i);
/** 1 when more batches follow; pass kimi_batch_page_last_id as `after`. */
/*@ of(kimi_batch_page) accessor */
KIMI_API int kimi_batch_page_has_more(const kimi_batch_page *page);
/*@ of(kimi_batch_page) accessor returns(borrowed) */
KIMI_API const char *kimi_batch_page_last_id(const kimi_batch_page *page);
/*@ of(kimi_batch_page) frees(page) null(page) */
KIMI_API void kimi_batch_page_free(kimi_batch_page *page);

/**
 * Every batch, newest first, without writing the paging loop: the same
 * iterator as kimi_file_iter (see there for the loop and the limits that
 * keep a server's paging from looping), over kimi_batch_list's pages.
 */
typedef struct kimi_batch_iter kimi_batch_iter;

/** An iterator over the batches after the id `after` (NULL: from the
    newest), fetched `limit` (1 to 100) per page, in `*out` (free with
    kimi_batch_iter_free); nothing is fetched yet. Like kimi_file_iter_new
    it may outlive the client handle. Returns KIMI_OK or
    KIMI_E_INVALID_ARGUMENT for a NULL client or `out`, a bad `after` or
    `limit`. Thread-safe for the client. */
/*@ of(kimi_batch_iter) out(out: owned) null(after) */
KIMI_API kimi_status kimi_batch_iter_new(kimi_client *client, const char *after, int limit, kimi_batch_iter **out);
/** Stores the next batch in `*batch_out`, a new handle the caller frees
    with kimi_batch_free, or NULL at the end; statuses as
    kimi_file_iter_next. One thread at a time per iterator. */
/*@ of(kimi_batch_iter) blocks out(batch_out: owned) */
KIMI_API kimi_status kimi_batch_iter_next(kimi_batch_iter *iter, kimi_batch **batch_out);
/** Frees an iterator (batches it gave stay valid). NULL does nothing. */
/*@ of(kimi_batch_iter) frees(iter) null(iter) */
KIMI_API void kimi_batch_iter_free(kimi_batch_iter *iter);

/*
 * Every other endpoint as a task. Each function starts its endpoint on the
 * client's event loop and returns at once, as kimi_chat_stream_start does;
 * its events (PROGRESS, DATA or RESULT as the endpoint has them, then END)
 * go to `queue` when one is given, else to `on_event` on the loop thread
 * (which may be NULL: no events), with `user_data`; giving both is
 * KIMI_E_INVALID_ARGUMENT. When the task ended, kimi_task_wait gives how,
 * and the kimi_task_* accessor of its kind gives the result. Each stores the
 * task in `*out` (free with kimi_task_free) and returns KIMI_OK, or what the
 * blocking call returns before sending (KIMI_E_INVALID_ARGUMENT for a bad
 * argument, named) with NULL stored; everything later is the task's outcome.
 * Cancelling is kimi_task_cancel, from any thread: a request, never a wait.
 * Thread-safe; strings are copied, `data` of kimi_file_upload_data_start is
 * not (it must stay valid and unchanged until the task ended, or until
 * kimi_task_free returned: the task reads it no more after that).
 */
/** kimi_file_upload as a task: PROGRESS events (bytes sent of the multipart body); the result is kimi_task_file. */
/*@ of(kimi_client) out(out: owned) null(queue, on_event) */
KIMI_API kimi_status kimi_file_upload_start(kimi_client *client, const char *path, const char *purpose,
                                            kimi_event_queue *queue, kimi_stream_cb on_event, void *user_data,
                                            kimi_task **out);
/** kimi_file_upload_data as a task (see above for `data`'s lifetime); the result is kimi_task_file. */
/*@ of(kimi_client) out(out: owned) null(queue, on_event) */
KIMI_API kimi_status kimi_file_upload_data_start(kimi_client *client, const char *filename, const void *data,
                                                 size_t len, const char *purpose, kimi_event_queue *queue,
                                                 kimi_stream_cb on_event, void *user_data, kimi_task **out);
/** kimi_file_retrieve as a task; the result is kimi_task_file. */
/*@ of(kimi_client) out(out: owned) null(queue, on_event) */
KIMI_API kimi_status kimi_file_retrieve_start(kimi_client *client, const char *file_id, kimi_event_queue *queue,
                                              kimi_stream_cb on_event, void *user_data, kimi_task **out);
/** kimi_file_delete as a task; kimi_task_count gives the server's `deleted` (1 or 0). */
/*@ of(kimi_client) out(out: owned) null(queue, on_event) */
KIMI_API kimi_status kimi_file_delete_start(kimi_client *client, const char *file_id, kimi_event_queue *queue,
                                            kimi_stream_cb on_event, void *user_data, kimi_task **out);
/** A file's content as a task: DATA events, each a piece as it arrived
    (memory holds one network read, never the whole file); kimi_task_count
    gives the bytes in all. A body cut before its end is KIMI_E_INCOMPLETE. */
/*@ of(kimi_client) out(out: owned) null(queue, on_event) */
KIMI_API kimi_status kimi_file_content_start(kimi_client *client, const char *file_id, kimi_event_queue *queue,
                                             kimi_stream_cb on_event, void *user_data, kimi_task **out);
/** kimi_files_list as a task (every page); the result is kimi_task_file_list. */
/*@ of(kimi_client) out(out: owned) null(queue, on_event) */
KIMI_API kimi_status kimi_files_list_start(kimi_client *client, kimi_event_queue *queue, kimi_stream_cb on_event,
                                           void *user_data, kimi_task **out);
/** kimi_batch_create as a task; the result is kimi_task_batch. */
/*@ of(kimi_client) out(out: owned) null(completion_window, metadata_json, queue, on_event) */
KIMI_API kimi_status kimi_batch_create_start(kimi_client *client, const char *input_file_id,
                                             const char *completion_window, const char *metadata_json,
                                             kimi_event_queue *queue, kimi_stream_cb on_event, void *user_data,
                                             kimi_task **out);
/** kimi_batch_submit as a task: every limit checked now, then the upload
    and the creation; the result is kimi_task_batch. */
/*@ of(kimi_client) out(out: owned) null(completion_window, metadata_json, queue, on_event) */
KIMI_API kimi_status kimi_batch_submit_start(kimi_client *client, const char *jsonl_path, const char *completion_window,
                                             const char *metadata_json, kimi_event_queue *queue, kimi_stream_cb on_event,
                                             void *user_data, kimi_task **out);
/** kimi_batch_retrieve as a task; the result is kimi_task_batch. */
/*@ of(kimi_client) out(out: owned) null(queue, on_event) */
KIMI_API kimi_status kimi_batch_retrieve_start(kimi_client *client, const char *batch_id, kimi_event_queue *queue,
                                               kimi_stream_cb on_event, void *user_data, kimi_task **out);
/** kimi_batch_list as a task (one page); the result is kimi_task_batch_page. */
/*@ of(kimi_client) out(out: owned) null(after, queue, on_event) */
KIMI_API kimi_status kimi_batch_list_start(kimi_client *client, const char *after, int limit, kimi_event_queue *queue,
                                           kimi_stream_cb on_event, void *user_data, kimi_task **out);
/** kimi_batch_cancel as a task (`batch` is read now); the result is kimi_task_batch. */
/*@ of(kimi_client) out(out: owned) null(queue, on_event) */
KIMI_API kimi_status kimi_batch_cancel_start(kimi_client *client, const kimi_batch *batch, kimi_event_queue *queue,
                                             kimi_stream_cb on_event, void *user_data, kimi_task **out);
/** kimi_batch_wait as a task: polls on the loop (timed calls, no thread),
    a PROGRESS event after each poll; the result (kimi_task_batch) is the
    last state. Cancelling stops the waiting, not the batch. */
/*@ of(kimi_client) out(out: owned) null(queue, on_event) */
KIMI_API kimi_status kimi_batch_wait_start(kimi_client *client, const kimi_batch *batch, uint32_t poll_ms,
                                           kimi_event_queue *queue, kimi_stream_cb on_event, void *user_data,
                                           kimi_task **out);
/** kimi_batch_results as a task: a RESULT event per line of the output file,
    then of the error file; kimi_task_count gives the lines. Successful
    lines count in the client's usage totals once. */
/*@ of(kimi_client) out(out: owned) null(queue, on_event) */
KIMI_API kimi_status kimi_batch_results_start(kimi_client *client, const kimi_batch *batch, kimi_event_queue *queue,
                                              kimi_stream_cb on_event, void *user_data, kimi_task **out);
/** kimi_models_list as a task; the result is kimi_task_model_list. */
/*@ of(kimi_client) out(out: owned) null(queue, on_event) */
KIMI_API kimi_status kimi_models_list_start(kimi_client *client, kimi_event_queue *queue, kimi_stream_cb on_event,
                                            void *user_data, kimi_task **out);
/** kimi_model_retrieve as a task (`model_id` is checked now); the result is kimi_task_model. */
/*@ of(kimi_client) out(out: owned) null(queue, on_event) */
KIMI_API kimi_status kimi_model_retrieve_start(kimi_client *client, const char *model_id, kimi_event_queue *queue,
                                               kimi_stream_cb on_event, void *user_data, kimi_task **out);
/** kimi_balance_get as a task; the result is kimi_task_balance. */
/*@ of(kimi_client) out(out: owned) null(queue, on_event) */
KIMI_API kimi_status kimi_balance_start(kimi_client *client, kimi_event_queue *queue, kimi_stream_cb on_event,
                                        void *user_data, kimi_task **out);
/** kimi_chat_estimate_tokens as a task (`req` is read now); kimi_task_count gives the tokens. */
/*@ of(kimi_client) out(out: owned) null(queue, on_event) */
KIMI_API kimi_status kimi_chat_estimate_tokens_start(kimi_client *client, const kimi_chat_request *req,
                                                     kimi_event_queue *queue, kimi_stream_cb on_event, void *user_data,
                                                     kimi_task **out);
/** kimi_chat_fit_max_completion_tokens as a task (`req` is read now and not
    changed); kimi_task_count gives the fitted max_completion_tokens. A
    model whose window is not known is KIMI_E_INVALID_ARGUMENT here. */
/*@ of(kimi_client) out(out: owned) null(queue, on_event) */
KIMI_API kimi_status kimi_chat_fit_max_completion_tokens_start(kimi_client *client, const kimi_chat_request *req,
                                                               kimi_event_queue *queue, kimi_stream_cb on_event,
                                                               void *user_data, kimi_task **out);

/*
 * The result of an ended task, by its kind. Each stores a new handle (free
 * it with its kind's free function) or values in its outputs and returns
 * KIMI_OK; KIMI_E_PENDING while the task runs; the task's failure when it
 * failed (the last error describes it); KIMI_E_INVALID_ARGUMENT for a NULL
 * task or output, or a task of another kind. Any thread.
 */
/*@ of(kimi_task) out(out: owned) */
KIMI_API kimi_status kimi_task_file(kimi_task *task, kimi_file **out);
/*@ of(kimi_task) out(out: owned) */
KIMI_API kimi_status kimi_task_file_list(kimi_task *task, kimi_file_list **out);
/*@ of(kimi_task) out(out: owned) */
KIMI_API kimi_status kimi_task_batch(kimi_task *task, kimi_batch **out);
/*@ of(kimi_task) out(out: owned) */
KIMI_API kimi_status kimi_task_batch_page(kimi_task *task, kimi_batch_page **out);
/*@ of(kimi_task) out(out: owned) */
KIMI_API kimi_status kimi_task_model(kimi_task *task, kimi_model **out);
/*@ of(kimi_task) out(out: owned) */
KIMI_API kimi_status kimi_task_model_list(kimi_task *task, kimi_model_list **out);
/** The balance (any output may be NULL). */
/*@ of(kimi_task) out(available_out: scalar, voucher_out: scalar, cash_out: scalar)
    null(available_out, voucher_out, cash_out) */
KIMI_API kimi_status kimi_task_balance(kimi_task *task, double *available_out, double *voucher_out, double *cash_out);
/** A count: the tokens of an estimate, the fitted max_completion_tokens,
    the bytes of a file's content, the lines of a batch's results, 1 or 0
    for a file's deletion. */
/*@ of(kimi_task) out(out: scalar) */
KIMI_API kimi_status kimi_task_count(kimi_task *task, int64_t *out);

/** For the KIMI_EVENT_PROGRESS of kimi_batch_wait_start, the batch as just
    polled in `*out` (free with kimi_batch_free). KIMI_E_INVALID_ARGUMENT
    (and NULL) otherwise. On the thread the event is read on, while it is
    valid. */
/*@ of(kimi_stream_event) out(out: owned) */
KIMI_API kimi_status kimi_stream_event_batch(const kimi_stream_event *event, kimi_batch **out);


#ifdef __cplusplus
}
#endif

#endif /* KIMI_H */
