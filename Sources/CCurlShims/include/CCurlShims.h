#ifndef BALLAST_CCURL_SHIMS_H
#define BALLAST_CCURL_SHIMS_H

#include <curl/curl.h>
#include <stddef.h>

/// Typed wrappers over libcurl's variadic setters and getters, which Swift cannot call.
/// Each returns libcurl's own result code unchanged.

typedef size_t (*ballast_data_callback)(char *data, size_t size, size_t count, void *context);

CURLcode ballast_easy_set_long(CURL *easy, CURLoption option, long value);
CURLcode ballast_easy_set_off(CURL *easy, CURLoption option, curl_off_t value);
CURLcode ballast_easy_set_string(CURL *easy, CURLoption option, const char *value);
CURLcode ballast_easy_set_pointer(CURL *easy, CURLoption option, void *value);
CURLcode ballast_easy_set_slist(CURL *easy, CURLoption option, struct curl_slist *value);
CURLcode ballast_easy_set_data_callback(CURL *easy, CURLoption option, ballast_data_callback callback);

CURLcode ballast_easy_get_long(CURL *easy, CURLINFO info, long *value);
CURLcode ballast_easy_get_pointer(CURL *easy, CURLINFO info, void **value);

CURLMcode ballast_multi_set_long(CURLM *multi, CURLMoption option, long value);

/// CURL_WRITEFUNC_ERROR appeared in 7.87; older headers only know "a short count".
size_t ballast_write_error(void);

/// The message's result, hidden in a union that Swift imports awkwardly.
CURLcode ballast_message_result(const CURLMsg *message);

#endif
