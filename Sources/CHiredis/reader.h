#ifndef KV_READER_H
#define KV_READER_H
/* A hiredis reply reader with limits: an array header beyond `max_elements` or a bulk string header beyond
   `max_bulk` is refused as soon as it is read, before anything is allocated for it (hiredis 0.14 has no such
   limit: `*2147483647` made it reserve 17 GB). The reply objects are hiredis's own `redisReply`, built as
   hiredis 0.14 builds them, so `freeReplyObject` frees them. */
#include <hiredis/hiredis.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>

typedef struct kv_reader_limits {
    long long max_elements;
    long long max_bulk;
    /* What was refused: its length, and REDIS_REPLY_ARRAY or REDIS_REPLY_STRING; 0 and 0 when nothing was. */
    long long refused_length;
    int refused_type;
} kv_reader_limits;

static redisReply *kv_reply_object(int type) {
    redisReply *reply = calloc(1, sizeof *reply);
    if (reply != NULL) reply->type = type;
    return reply;
}

static void kv_reply_attach(const redisReadTask *task, redisReply *reply) {
    if (task->parent != NULL) {
        redisReply *parent = task->parent->obj;
        parent->element[task->idx] = reply;
    }
}

static void *kv_reply_string(const redisReadTask *task, char *text, size_t length) {
    kv_reader_limits *limits = task->privdata;
    if (limits != NULL && (long long)length > limits->max_bulk) {
        limits->refused_length = (long long)length;
        limits->refused_type = REDIS_REPLY_STRING;
        return NULL;
    }
    redisReply *reply = kv_reply_object(task->type);
    if (reply == NULL) return NULL;
    char *copy = malloc(length + 1);
    if (copy == NULL) { free(reply); return NULL; }
    memcpy(copy, text, length);
    copy[length] = '\0';
    reply->str = copy;
    reply->len = length;
    kv_reply_attach(task, reply);
    return reply;
}

static void *kv_reply_array(const redisReadTask *task, int elements) {
    kv_reader_limits *limits = task->privdata;
    if (limits != NULL && (long long)elements > limits->max_elements) {
        limits->refused_length = elements;
        limits->refused_type = REDIS_REPLY_ARRAY;
        return NULL;
    }
    redisReply *reply = kv_reply_object(REDIS_REPLY_ARRAY);
    if (reply == NULL) return NULL;
    if (elements > 0) {
        reply->element = calloc((size_t)elements, sizeof(redisReply *));
        if (reply->element == NULL) { free(reply); return NULL; }
    }
    reply->elements = elements > 0 ? (size_t)elements : 0;
    kv_reply_attach(task, reply);
    return reply;
}

static void *kv_reply_integer(const redisReadTask *task, long long value) {
    redisReply *reply = kv_reply_object(REDIS_REPLY_INTEGER);
    if (reply == NULL) return NULL;
    reply->integer = value;
    kv_reply_attach(task, reply);
    return reply;
}

static void *kv_reply_nil(const redisReadTask *task) {
    redisReply *reply = kv_reply_object(REDIS_REPLY_NIL);
    if (reply == NULL) return NULL;
    kv_reply_attach(task, reply);
    return reply;
}

static redisReplyObjectFunctions kv_limited_reply_functions = {
    kv_reply_string, kv_reply_array, kv_reply_integer, kv_reply_nil, freeReplyObject,
};

/* A reader that refuses replies beyond the limits; free it with kv_reader_free. */
static inline redisReader *kv_reader_create(long long max_elements, long long max_bulk) {
    kv_reader_limits *limits = calloc(1, sizeof *limits);
    if (limits == NULL) return NULL;
    limits->max_elements = max_elements;
    limits->max_bulk = max_bulk;
    redisReader *reader = redisReaderCreateWithFunctions(&kv_limited_reply_functions);
    if (reader == NULL) { free(limits); return NULL; }
    reader->privdata = limits;
    return reader;
}

static inline void kv_reader_free(redisReader *reader) {
    free(reader->privdata);
    redisReaderFree(reader);
}

static inline const kv_reader_limits *kv_reader_limits_of(const redisReader *reader) { return reader->privdata; }

/* After input that completed no reply: whether a bulk string being read announced a length beyond the limit
   (hiredis waits for all of it before building the string). Returns the announced length then, else -1. The
   type byte of the item being read is already consumed, so its length digits start at the read position. */
static inline long long kv_reader_oversized_bulk(redisReader *reader) {
    kv_reader_limits *limits = reader->privdata;
    /* Unconsumed input holds at most one item and a read's worth: more is a line that never ends. */
    if (reader->len - reader->pos > (size_t)limits->max_bulk + 65536) {
        limits->refused_length = (long long)(reader->len - reader->pos);
        limits->refused_type = REDIS_REPLY_STATUS;
        return limits->refused_length;
    }
    if (reader->ridx < 0 || reader->ridx >= 9) return -1;
    if (reader->rstack[reader->ridx].type != REDIS_REPLY_STRING) return -1;
    long long length = 0;
    for (size_t at = reader->pos; at < reader->len; at++) {
        char c = reader->buf[at];
        if (c < '0' || c > '9') break;  /* '\r', or '-' of a null bulk */
        if (length > (LLONG_MAX - (c - '0')) / 10) { length = LLONG_MAX; break; }
        length = length * 10 + (c - '0');
    }
    if (length <= limits->max_bulk) return -1;
    limits->refused_length = length;
    limits->refused_type = REDIS_REPLY_STRING;
    return length;
}
#endif
