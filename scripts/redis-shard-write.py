#!/usr/bin/env python3
"""Writes keys with the real redis-shard 0.3.7 package, so the ring's tests can read them back.

usage: redis-shard-write.py HASH name=host:port [name=host:port ...] < keys.json
Each key is written with the value "v:" + key. Prints the number written.
"""
import json
import sys

from redis_shard.shard import RedisShardAPI

hash_method = sys.argv[1]
servers = []
for spec in sys.argv[2:]:
    name, address = spec.split("=", 1)
    host, port = address.rsplit(":", 1)
    servers.append({"name": name, "host": host, "port": int(port), "db": 0})
api = RedisShardAPI(servers, hash_method=hash_method)
keys = json.load(sys.stdin)
for key in keys:
    api.set(key, "v:" + key)
print(len(keys))
