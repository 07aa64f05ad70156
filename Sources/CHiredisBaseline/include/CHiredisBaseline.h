#ifndef KV_CHIREDIS_BASELINE_H
#define KV_CHIREDIS_BASELINE_H

/* Raw-C hiredis loops, the reference for `kv bench`. Each returns elapsed seconds, or a negative value on error.
   Keys are "<prefix><i>" for i in 0..<count, in the given database (SELECT when not 0). A host starting with '/'
   is a Unix socket path. */

/* count GETs, one round trip each. latencies_ns (may be NULL) receives each call's latency. */
double kv_baseline_get_sequential(const char *host, int port, int database, const char *prefix, int count, long long *latencies_ns);

/* count SETs of value_len-byte values, appended chunk at a time with redisAppendCommandArgv, then read with redisGetReply. */
double kv_baseline_set_pipelined(const char *host, int port, int database, const char *prefix, int count, int chunk, int value_len);

#endif
