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

CURLMcode ballast_multi_set_long(CURLM *multi, CURLMoption option, long value);

/// CURL_WRITEFUNC_ERROR appeared in 7.87; older headers only know "a short count".
size_t ballast_write_error(void);

/// The message's result, hidden in a union that Swift imports awkwardly.
CURLcode ballast_message_result(const CURLMsg *message);

/// An event loop for one multi handle: libcurl tells it which sockets to watch (epoll) and
/// when its next timeout is, so each step costs what the active sockets cost, not what
/// every transfer in the handle costs (as curl_multi_perform and curl_multi_poll do).
typedef struct ballast_loop ballast_loop;

/// Creates the loop and installs its socket and timer callbacks on `multi`; NULL on failure.
ballast_loop *ballast_loop_create(CURLM *multi);
/// Frees the loop; call after curl_multi_cleanup.
void ballast_loop_destroy(ballast_loop *loop);
/// Wakes a thread blocked in ballast_loop_step; safe from any thread.
void ballast_loop_wake(ballast_loop *loop);
/// Waits (at most `max_wait_ms`) for socket activity, libcurl's timer or a wake-up, then
/// drives libcurl for what happened.
void ballast_loop_step(ballast_loop *loop, int max_wait_ms);

#endif
