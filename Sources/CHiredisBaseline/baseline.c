#include "CHiredisBaseline.h"
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static redisContext *connect_to(const char *host, int port, int database) {
    struct timeval tv = {2, 0};
    /* A host starting with '/' is a Unix socket path. */
    redisContext *c = host[0] == '/' ? redisConnectUnixWithTimeout(host, tv) : redisConnectWithTimeout(host, port, tv);
    if (c == NULL) return NULL;
    if (c->err) { redisFree(c); return NULL; }
    redisSetTimeout(c, tv);
    if (database != 0) {
        redisReply *reply = redisCommand(c, "SELECT %d", database);
        int ok = reply != NULL && reply->type == REDIS_REPLY_STATUS;
        if (reply != NULL) freeReplyObject(reply);
        if (!ok) { redisFree(c); return NULL; }
    }
    return c;
}

double kv_baseline_get_sequential(const char *host, int port, int database, const char *prefix, int count, long long *latencies_ns) {
    redisContext *c = connect_to(host, port, database);
    if (c == NULL) return -1;
    char key[256];
    const char *argv[2] = {"GET", key};
    size_t argvlen[2] = {3, 0};
    double start = now_seconds();
    for (int i = 0; i < count; i++) {
        argvlen[1] = (size_t)snprintf(key, sizeof key, "%s%d", prefix, i);
        double before = latencies_ns ? now_seconds() : 0;
        redisReply *reply = redisCommandArgv(c, 2, argv, argvlen);
        if (reply == NULL) { redisFree(c); return -1; }
        freeReplyObject(reply);
        if (latencies_ns) latencies_ns[i] = (long long)((now_seconds() - before) * 1e9);
    }
    double elapsed = now_seconds() - start;
    redisFree(c);
    return elapsed;
}

double kv_baseline_set_pipelined(const char *host, int port, int database, const char *prefix, int count, int chunk, int value_len) {
    redisContext *c = connect_to(host, port, database);
    if (c == NULL) return -1;
    char *value = malloc((size_t)value_len);
    memset(value, 'x', (size_t)value_len);
    char key[256];
    const char *argv[3] = {"SET", key, value};
    size_t argvlen[3] = {3, 0, (size_t)value_len};
    double start = now_seconds();
    for (int done = 0; done < count; done += chunk) {
        int n = count - done < chunk ? count - done : chunk;
        for (int i = 0; i < n; i++) {
            argvlen[1] = (size_t)snprintf(key, sizeof key, "%s%d", prefix, done + i);
            redisAppendCommandArgv(c, 3, argv, argvlen);
        }
        for (int i = 0; i < n; i++) {
            void *reply = NULL;
            if (redisGetReply(c, &reply) != REDIS_OK) { free(value); redisFree(c); return -1; }
            freeReplyObject(reply);
        }
    }
    double elapsed = now_seconds() - start;
    free(value);
    redisFree(c);
    return elapsed;
}
