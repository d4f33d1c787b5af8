/*
 * Typed wrappers for the parts of libcurl that Swift cannot call: curl's
 * setopt/getinfo functions are variadic. Each wrapper forwards one argument
 * type. The CKimiShims_ prefix keeps these symbols out of the exported
 * kimi_* namespace (the version script hides them).
 */
#ifndef CKIMI_SHIMS_H
#define CKIMI_SHIMS_H

#include <curl/curl.h>
#include <stddef.h>

typedef size_t (*CKimiShims_data_cb)(char *buffer, size_t size, size_t nitems, void *user_data);
typedef int (*CKimiShims_xferinfo_cb)(void *user_data, curl_off_t dltotal, curl_off_t dlnow,
                                      curl_off_t ultotal, curl_off_t ulnow);
typedef void (*CKimiShims_lock_cb)(CURL *handle, curl_lock_data data, curl_lock_access access,
                                   void *user_data);
typedef void (*CKimiShims_unlock_cb)(CURL *handle, curl_lock_data data, void *user_data);
typedef int (*CKimiShims_debug_cb)(CURL *handle, curl_infotype type, char *data, size_t size, void *user_data);
typedef int (*CKimiShims_socket_cb)(CURL *easy, curl_socket_t socket, int what, void *user_data, void *socket_data);
typedef int (*CKimiShims_timer_cb)(CURLM *multi, long timeout_ms, void *user_data);

CURLcode CKimiShims_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode CKimiShims_easy_setopt_off(CURL *handle, CURLoption option, curl_off_t value);
CURLcode CKimiShims_easy_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode CKimiShims_easy_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode CKimiShims_easy_setopt_data_cb(CURL *handle, CURLoption option, CKimiShims_data_cb cb);
CURLcode CKimiShims_easy_setopt_xferinfo_cb(CURL *handle, CKimiShims_xferinfo_cb cb);
CURLcode CKimiShims_easy_setopt_debug_cb(CURL *handle, CKimiShims_debug_cb cb);

CURLcode CKimiShims_easy_getinfo_long(CURL *handle, CURLINFO info, long *out);
CURLcode CKimiShims_easy_getinfo_off(CURL *handle, CURLINFO info, curl_off_t *out);
CURLcode CKimiShims_easy_getinfo_string(CURL *handle, CURLINFO info, const char **out);
CURLcode CKimiShims_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **out);

CURLMcode CKimiShims_multi_setopt_long(CURLM *multi, CURLMoption option, long value);
CURLMcode CKimiShims_multi_setopt_pointer(CURLM *multi, CURLMoption option, void *value);
CURLMcode CKimiShims_multi_setopt_socket_cb(CURLM *multi, CKimiShims_socket_cb cb);
CURLMcode CKimiShims_multi_setopt_timer_cb(CURLM *multi, CKimiShims_timer_cb cb);

CURLSHcode CKimiShims_share_setopt_long(CURLSH *share, CURLSHoption option, long value);
CURLSHcode CKimiShims_share_setopt_pointer(CURLSH *share, CURLSHoption option, void *value);
CURLSHcode CKimiShims_share_setopt_locks(CURLSH *share, CKimiShims_lock_cb lock,
                                         CKimiShims_unlock_cb unlock);

/* Sentinel returns of the data callbacks, as plain values Swift can use. */
size_t CKimiShims_readfunc_abort(void);

/* epoll and eventfd for the event loop (Swift's Glibc module lacks them,
 * and struct epoll_event is packed). Each returns -1 with errno on error. */
int CKimiShims_epoll_create(void);
/* EPOLL_CTL_ADD, _MOD or _DEL of `fd` with `events` (EPOLLIN | EPOLLOUT). */
int CKimiShims_epoll_control(int epoll_fd, int op, int fd, unsigned events);
/* Waits up to `timeout_ms` (-1: no limit); stores up to `max` ready fds and
 * their events; returns how many. `scratch` is the caller's room for `max`
 * struct epoll_event (CKimiShims_epoll_event_size bytes each, 8-aligned),
 * reused from call to call. */
int CKimiShims_epoll_wait(int epoll_fd, void *scratch, int *fds, unsigned *events, int max, int timeout_ms);
unsigned long CKimiShims_epoll_event_size(void);
int CKimiShims_eventfd(void);
/* Waits until `fd` is readable or `nanoseconds` passed (ppoll: finer than
 * poll's milliseconds); 1 when readable, 0 when the time passed. */
int CKimiShims_wait_readable_ns(int fd, unsigned long long nanoseconds);
/* write(2) that never raises SIGPIPE in the host (whose disposition may be
 * the default: termination) and never changes its disposition: a socket is
 * written with MSG_NOSIGNAL; anything else (a pipe) with SIGPIPE blocked in
 * the calling thread for the call, the SIGPIPE the write raised taken back
 * (one already pending is left alone). Returns as write(2): a closed pipe
 * is -1 with EPIPE. */
long CKimiShims_write_quiet(int fd, const void *bytes, unsigned long count);
enum {
    CKimiShims_EPOLLIN = 0x001, CKimiShims_EPOLLOUT = 0x004, CKimiShims_EPOLLERR = 0x008, CKimiShims_EPOLLHUP = 0x010,
    CKimiShims_EPOLL_CTL_ADD = 1, CKimiShims_EPOLL_CTL_DEL = 2, CKimiShims_EPOLL_CTL_MOD = 3
};

#endif
