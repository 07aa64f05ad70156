#ifndef KV_CHIREDIS_SHIM_H
#define KV_CHIREDIS_SHIM_H

#include <hiredis/hiredis.h>
#include <sys/time.h>
#include <errno.h>
#include <poll.h>
#include <sys/prctl.h>

/* The error string of a context, which Swift sees as a tuple. */
static inline const char *kv_redis_errstr(const redisContext *c) { return c->errstr; }

/* The last errno value, read right after a failed hiredis call. */
static inline int kv_errno(void) { return errno; }

/* 1 when `fd` is readable right now (data, end of file or an error), 0 when not, -1 on a poll error. */
static inline int kv_readable_now(int fd) {
    struct pollfd descriptor = { fd, POLLIN, 0 };
    return poll(&descriptor, 1, 0);
}

/* Names the calling thread as `top -H`, `perf` and /proc/self/task/N/comm show it (at most 15 bytes). */
static inline void kv_name_this_thread(const char *name) { prctl(PR_SET_NAME, name, 0, 0, 0); }

static inline struct timeval kv_timeval_ms(long long milliseconds) {
    struct timeval tv;
    tv.tv_sec = (time_t)(milliseconds / 1000);
    tv.tv_usec = (suseconds_t)((milliseconds % 1000) * 1000);
    return tv;
}

#endif
