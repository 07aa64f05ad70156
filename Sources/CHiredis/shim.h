#ifndef KV_CHIREDIS_SHIM_H
#define KV_CHIREDIS_SHIM_H

#include <hiredis/hiredis.h>
#include "reader.h"
#include <sys/time.h>
#include <errno.h>
#include <time.h>
#include <poll.h>
#include <unistd.h>
#include <signal.h>
#include <pthread.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netdb.h>
#include <fcntl.h>
#include <string.h>

/* Sets or clears O_NONBLOCK (fcntl is variadic, which Swift cannot call). */
static inline int kv_set_nonblocking(int fd, int on) {
    int flags = fcntl(fd, F_GETFL, 0);
    if (flags < 0) return -1;
    return fcntl(fd, F_SETFL, on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK));
}

/* Bounds each blocking read and write on `fd` by `milliseconds` (at least 1). */
static inline int kv_set_io_timeout(int fd, long long milliseconds) {
    struct timeval tv;
    if (milliseconds < 1) milliseconds = 1;
    tv.tv_sec = (time_t)(milliseconds / 1000);
    tv.tv_usec = (suseconds_t)((milliseconds % 1000) * 1000);
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0) return -1;
    return setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

/* Waits up to `milliseconds` for `fd` to become writable (a non-blocking connect finishing); returns the
   socket's pending error (0 when connected), or ETIMEDOUT. */
static inline int kv_wait_connected(int fd, int milliseconds) {
    struct pollfd descriptor = { fd, POLLOUT, 0 };
    int ready = poll(&descriptor, 1, milliseconds);
    if (ready == 0) return ETIMEDOUT;
    if (ready < 0) return errno;
    int error = 0;
    socklen_t length = sizeof error;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) return errno;
    return error;
}

/* Waits up to `milliseconds` for `fd` to be readable (`for_write` 0) or writable (1): 1 when it is, 0 on
   timeout, -1 on error (errno set). */
static inline int kv_wait_ready(int fd, int for_write, int milliseconds) {
    struct pollfd descriptor = { fd, (short)(for_write ? POLLOUT : POLLIN), 0 };
    int ready = poll(&descriptor, 1, milliseconds);
    return ready > 0 ? 1 : ready;
}

/* A stream socket of `family`, closed on exec, whose writes never raise SIGPIPE (Linux: SOCK_CLOEXEC and
   MSG_NOSIGNAL on each send; Darwin: FD_CLOEXEC and SO_NOSIGPIPE). Returns the descriptor or -1 (errno set). */
static inline int kv_stream_socket(int family, int protocol) {
#if defined(SOCK_CLOEXEC)
    return socket(family, SOCK_STREAM | SOCK_CLOEXEC, protocol);
#else
    int fd = socket(family, SOCK_STREAM, protocol);
    if (fd < 0) return -1;
    fcntl(fd, F_SETFD, FD_CLOEXEC);
#if defined(SO_NOSIGPIPE)
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &on, sizeof on);
#endif
    return fd;
#endif
}

/* SOCK_STREAM, whose C type differs between Glibc (an enum) and Darwin (an int). */
static inline int kv_stream_type(void) { return SOCK_STREAM; }

/* send(2) that never raises SIGPIPE. */
static inline ssize_t kv_send(int fd, const void *bytes, size_t count) {
#if defined(MSG_NOSIGNAL)
    return send(fd, bytes, count, MSG_NOSIGNAL);
#else
    return send(fd, bytes, count, 0);
#endif
}

/* connect(2), close(2) and shutdown(2) of both directions, under names no Swift method shadows. */
static inline int kv_connect(int fd, const struct sockaddr *address, socklen_t length) { return connect(fd, address, length); }
static inline int kv_close(int fd) { return close(fd); }
static inline int kv_shutdown_both(int fd) { return shutdown(fd, SHUT_RDWR); }

/* Connects a Unix-domain stream socket to `path`; returns the descriptor or -1 (errno set). */
static inline int kv_connect_unix(const char *path) {
    struct sockaddr_un address;
    memset(&address, 0, sizeof address);
    address.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof address.sun_path) { errno = ENAMETOOLONG; return -1; }
    strcpy(address.sun_path, path);
    int fd = kv_stream_socket(AF_UNIX, 0);
    if (fd < 0) return -1;
    if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) { int saved = errno; close(fd); errno = saved; return -1; }
    return fd;
}

/* Blocks SIGPIPE on the calling thread: a write to a closed socket (OpenSSL writes with plain write(2))
   then fails with EPIPE instead of ending the process. */
static inline void kv_block_sigpipe(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
}

/* Turns off Nagle's algorithm, so a pipeline leaves at once. */
static inline void kv_set_nodelay(int fd) {
    int on = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

/* The error string of a reader, which Swift sees as a tuple. */
static inline const char *kv_reader_errstr(const redisReader *r) { return r->errstr; }

/* The error string of a context, which Swift sees as a tuple. */
static inline const char *kv_redis_errstr(const redisContext *c) { return c->errstr; }

/* The last errno value, read right after a failed hiredis call. */
static inline int kv_errno(void) { return errno; }

/* Monotonic nanoseconds for the near cache's deadlines. The coarse clock (a few ms of resolution on Linux) costs a
   fraction of the precise one, which a cache hit would otherwise pay on every read. */
static inline unsigned long long kv_monotonic_coarse_ns(void) {
    struct timespec ts;
#if defined(CLOCK_MONOTONIC_COARSE)
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
#else
    clock_gettime(CLOCK_MONOTONIC, &ts);
#endif
    return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

/* 1 when `fd` is readable right now (data, end of file or an error), 0 when not, -1 on a poll error. */
static inline int kv_readable_now(int fd) {
    struct pollfd descriptor = { fd, POLLIN, 0 };
    return poll(&descriptor, 1, 0);
}

/* Names the calling thread as `top -H`, `perf` and /proc/self/task/N/comm show it (at most 15 bytes). */
static inline void kv_name_this_thread(const char *name) {
#if defined(__linux__)
    prctl(PR_SET_NAME, name, 0, 0, 0);
#elif defined(__APPLE__)
    pthread_setname_np(name);
#endif
}

static inline struct timeval kv_timeval_ms(long long milliseconds) {
    struct timeval tv;
    tv.tv_sec = (time_t)(milliseconds / 1000);
    tv.tv_usec = (suseconds_t)((milliseconds % 1000) * 1000);
    return tv;
}

#endif
