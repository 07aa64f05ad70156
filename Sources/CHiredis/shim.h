#ifndef KV_CHIREDIS_SHIM_H
#define KV_CHIREDIS_SHIM_H

#include <hiredis/hiredis.h>
#include <sys/time.h>
#include <errno.h>

/* The error string of a context, which Swift sees as a tuple. */
static inline const char *kv_redis_errstr(const redisContext *c) { return c->errstr; }

/* The last errno value, read right after a failed hiredis call. */
static inline int kv_errno(void) { return errno; }

static inline struct timeval kv_timeval_ms(long long milliseconds) {
    struct timeval tv;
    tv.tv_sec = (time_t)(milliseconds / 1000);
    tv.tv_usec = (suseconds_t)((milliseconds % 1000) * 1000);
    return tv;
}

#endif
