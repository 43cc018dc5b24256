#include "CCurlShims.h"

CURLcode ballast_easy_set_long(CURL *easy, CURLoption option, long value) {
    return curl_easy_setopt(easy, option, value);
}

CURLcode ballast_easy_set_off(CURL *easy, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(easy, option, value);
}

CURLcode ballast_easy_set_string(CURL *easy, CURLoption option, const char *value) {
    return curl_easy_setopt(easy, option, value);
}

CURLcode ballast_easy_set_pointer(CURL *easy, CURLoption option, void *value) {
    return curl_easy_setopt(easy, option, value);
}

CURLcode ballast_easy_set_slist(CURL *easy, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(easy, option, value);
}

CURLcode ballast_easy_set_data_callback(CURL *easy, CURLoption option, ballast_data_callback callback) {
    return curl_easy_setopt(easy, option, callback);
}

CURLcode ballast_easy_get_long(CURL *easy, CURLINFO info, long *value) {
    return curl_easy_getinfo(easy, info, value);
}

CURLMcode ballast_multi_set_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

size_t ballast_write_error(void) {
#ifdef CURL_WRITEFUNC_ERROR
    return CURL_WRITEFUNC_ERROR;
#else
    return 0;
#endif
}

CURLcode ballast_message_result(const CURLMsg *message) {
    return message->data.result;
}

/* ---- The event loop: epoll for sockets, an eventfd for wake-ups, libcurl's timer. ---- */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

struct ballast_loop {
    CURLM *multi;
    int epoll_fd;
    int wake_fd;
    /* When libcurl wants its timeout handled, in monotonic milliseconds; -1 for never. */
    int64_t timer_due_ms;
};

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *user, void *socket_data) {
    (void)easy;
    (void)socket_data;
    ballast_loop *loop = user;
    if (what == CURL_POLL_REMOVE) {
        epoll_ctl(loop->epoll_fd, EPOLL_CTL_DEL, fd, NULL);
        return 0;
    }
    struct epoll_event event = {0};
    event.data.fd = fd;
    if (what & CURL_POLL_IN) event.events |= EPOLLIN;
    if (what & CURL_POLL_OUT) event.events |= EPOLLOUT;
    if (epoll_ctl(loop->epoll_fd, EPOLL_CTL_MOD, fd, &event) != 0 && errno == ENOENT) {
        epoll_ctl(loop->epoll_fd, EPOLL_CTL_ADD, fd, &event);
    }
    return 0;
}

static int on_timer(CURLM *multi, long timeout_ms, void *user) {
    (void)multi;
    ballast_loop *loop = user;
    loop->timer_due_ms = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
    return 0;
}

ballast_loop *ballast_loop_create(CURLM *multi) {
    ballast_loop *loop = calloc(1, sizeof *loop);
    if (!loop) return NULL;
    loop->multi = multi;
    loop->timer_due_ms = -1;
    loop->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    loop->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (loop->epoll_fd < 0 || loop->wake_fd < 0) {
        if (loop->epoll_fd >= 0) close(loop->epoll_fd);
        if (loop->wake_fd >= 0) close(loop->wake_fd);
        free(loop);
        return NULL;
    }
    struct epoll_event event = {0};
    event.events = EPOLLIN;
    event.data.fd = loop->wake_fd;
    epoll_ctl(loop->epoll_fd, EPOLL_CTL_ADD, loop->wake_fd, &event);
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, loop);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(multi, CURLMOPT_TIMERDATA, loop);
    return loop;
}

void ballast_loop_destroy(ballast_loop *loop) {
    if (!loop) return;
    close(loop->epoll_fd);
    close(loop->wake_fd);
    free(loop);
}

void ballast_loop_wake(ballast_loop *loop) {
    uint64_t one = 1;
    ssize_t written = write(loop->wake_fd, &one, sizeof one);
    (void)written; /* EAGAIN means a wake-up is already pending: as good. */
}

void ballast_loop_step(ballast_loop *loop, int max_wait_ms) {
    int wait_ms = max_wait_ms;
    if (loop->timer_due_ms >= 0) {
        int64_t until = loop->timer_due_ms - now_ms();
        if (until < wait_ms) wait_ms = until < 0 ? 0 : (int)until;
    }
    struct epoll_event events[256];
    int count = epoll_wait(loop->epoll_fd, events, 256, wait_ms);
    int running = 0;
    for (int i = 0; i < count; i++) {
        int fd = events[i].data.fd;
        if (fd == loop->wake_fd) {
            uint64_t drained;
            ssize_t got = read(loop->wake_fd, &drained, sizeof drained);
            (void)got;
            continue;
        }
        int flags = 0;
        if (events[i].events & EPOLLIN) flags |= CURL_CSELECT_IN;
        if (events[i].events & EPOLLOUT) flags |= CURL_CSELECT_OUT;
        if (events[i].events & (EPOLLERR | EPOLLHUP)) flags |= CURL_CSELECT_ERR;
        curl_multi_socket_action(loop->multi, fd, flags, &running);
    }
    if (loop->timer_due_ms >= 0 && loop->timer_due_ms <= now_ms()) {
        loop->timer_due_ms = -1;
        curl_multi_socket_action(loop->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    }
}
