#define _GNU_SOURCE /* ppoll */
#include "CKimiShims.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

CURLcode CKimiShims_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
CURLcode CKimiShims_easy_setopt_off(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}
CURLcode CKimiShims_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}
CURLcode CKimiShims_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}
CURLcode CKimiShims_easy_setopt_data_cb(CURL *handle, CURLoption option, CKimiShims_data_cb cb) {
    return curl_easy_setopt(handle, option, cb);
}
CURLcode CKimiShims_easy_setopt_xferinfo_cb(CURL *handle, CKimiShims_xferinfo_cb cb) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, cb);
}
CURLcode CKimiShims_easy_setopt_debug_cb(CURL *handle, CKimiShims_debug_cb cb) {
    return curl_easy_setopt(handle, CURLOPT_DEBUGFUNCTION, cb);
}

CURLcode CKimiShims_easy_getinfo_long(CURL *handle, CURLINFO info, long *out) {
    return curl_easy_getinfo(handle, info, out);
}
CURLcode CKimiShims_easy_getinfo_off(CURL *handle, CURLINFO info, curl_off_t *out) {
    return curl_easy_getinfo(handle, info, out);
}
CURLcode CKimiShims_easy_getinfo_string(CURL *handle, CURLINFO info, const char **out) {
    return curl_easy_getinfo(handle, info, out);
}
CURLcode CKimiShims_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **out) {
    return curl_easy_getinfo(handle, info, out);
}

CURLMcode CKimiShims_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

CURLMcode CKimiShims_multi_setopt_pointer(CURLM *multi, CURLMoption option, void *value) {
    return curl_multi_setopt(multi, option, value);
}
CURLMcode CKimiShims_multi_setopt_socket_cb(CURLM *multi, CKimiShims_socket_cb cb) {
    return curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, cb);
}
CURLMcode CKimiShims_multi_setopt_timer_cb(CURLM *multi, CKimiShims_timer_cb cb) {
    return curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, cb);
}

CURLSHcode CKimiShims_share_setopt_long(CURLSH *share, CURLSHoption option, long value) {
    return curl_share_setopt(share, option, value);
}
CURLSHcode CKimiShims_share_setopt_pointer(CURLSH *share, CURLSHoption option, void *value) {
    return curl_share_setopt(share, option, value);
}
CURLSHcode CKimiShims_share_setopt_locks(CURLSH *share, CKimiShims_lock_cb lock,
                                         CKimiShims_unlock_cb unlock) {
    CURLSHcode rc = curl_share_setopt(share, CURLSHOPT_LOCKFUNC, lock);
    if (rc != CURLSHE_OK) return rc;
    return curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, unlock);
}

size_t CKimiShims_readfunc_abort(void) { return CURL_READFUNC_ABORT; }

int CKimiShims_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int CKimiShims_epoll_control(int epoll_fd, int op, int fd, unsigned events) {
    struct epoll_event event;
    event.events = events;
    event.data.fd = fd;
    return epoll_ctl(epoll_fd, op, fd, &event);
}

int CKimiShims_epoll_wait(int epoll_fd, void *scratch, int *fds, unsigned *events, int max, int timeout_ms) {
    /* One call takes up to `max` at once: a second epoll_wait for the rest
     * could return a socket of the first again (level-triggered, still
     * unread) and leave out others. The caller's scratch room grows with
     * its sockets, so a wait allocates nothing. */
    struct epoll_event *ready = scratch;
    int n = epoll_wait(epoll_fd, ready, max, timeout_ms), i;
    for (i = 0; i < n; i++) {
        fds[i] = ready[i].data.fd;
        events[i] = ready[i].events;
    }
    return n;
}

unsigned long CKimiShims_epoll_event_size(void) { return sizeof(struct epoll_event); }

int CKimiShims_eventfd(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

int CKimiShims_wait_readable_ns(int fd, unsigned long long nanoseconds) {
    struct pollfd watched;
    struct timespec limit;
    watched.fd = fd;
    watched.events = POLLIN;
    watched.revents = 0;
    limit.tv_sec = (time_t)(nanoseconds / 1000000000ULL);
    limit.tv_nsec = (long)(nanoseconds % 1000000000ULL);
    return ppoll(&watched, 1, &limit, NULL);
}

long CKimiShims_write_quiet(int fd, const void *bytes, unsigned long count) {
    ssize_t written = send(fd, bytes, count, MSG_NOSIGNAL);
    if (written >= 0 || errno != ENOTSOCK) return (long)written;
    sigset_t pipe_only, before, pending;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &before);
    int pending_before = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE);
    written = write(fd, bytes, count);
    int saved = errno;
    if (written < 0 && saved == EPIPE && !pending_before) {
        struct timespec none = {0, 0};
        while (sigtimedwait(&pipe_only, NULL, &none) < 0 && errno == EINTR) {
        }
    }
    pthread_sigmask(SIG_SETMASK, &before, NULL);
    errno = saved;
    return (long)written;
}
