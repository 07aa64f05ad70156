#pragma once
#include <stddef.h>

/// Bytes the C heap hands out now (glibc `mallinfo2`: small blocks in use plus mapped blocks); 0 elsewhere.
size_t kv_heap_bytes_in_use(void);
