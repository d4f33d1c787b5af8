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

CURLSHcode CKimiShims_share_setopt_long(CURLSH *share, CURLSHoption option, long value);
CURLSHcode CKimiShims_share_setopt_pointer(CURLSH *share, CURLSHoption option, void *value);
CURLSHcode CKimiShims_share_setopt_locks(CURLSH *share, CKimiShims_lock_cb lock,
                                         CKimiShims_unlock_cb unlock);

/* Sentinel returns of the data callbacks, as plain values Swift can use. */
size_t CKimiShims_readfunc_abort(void);

#endif
