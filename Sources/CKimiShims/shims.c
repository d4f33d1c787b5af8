#include "CKimiShims.h"

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
