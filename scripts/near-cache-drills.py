#!/usr/bin/env python3
"""Staleness of the near cache through real faults, measured with `kv soak --workload staleness`.

    scripts/near-cache-drills.py .build/release/kv [--seconds 10] [--only NAME,...]

For each fault, on servers of its own (loopback, free ports, under .kv-drills/), it runs the staleness workload twice:
reading uncached (the same URL without nearCache), then through the near cache, injecting the same fault at the same
moment. A read is stale when it returns an older version than one acknowledged before it began; a fault that loses
acknowledged data (a restart of a server without persistence, a failover) makes uncached reads stale too, so each row
is printed beside its uncached twin. Prints one table row per run, and a JSON line per run with --json.
"""
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, ".kv-drills")


def free_port():
    for _ in range(200):
        port = random.randint(10000, 22000)
        ok = True
        for candidate in (port, port + 10000):
            sock = socket.socket()
            try:
                sock.bind(("127.0.0.1", candidate))
            except OSError:
                ok = False
            finally:
                sock.close()
        if ok:
            return port
    raise SystemExit("no free port")


def cli(port, *args, timeout=5):
    return subprocess.run(["redis-cli", "-p", str(port), *args], capture_output=True, text=True, timeout=timeout).stdout


class Server:
    def __init__(self, name, extra=()):
        self.port = free_port()
        self.dir = os.path.join(WORK, f"{name}-{self.port}")
        self.extra = list(extra)
        self.process = None
        self.start()

    def start(self):
        os.makedirs(self.dir, exist_ok=True)
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", self.dir, "--logfile", os.path.join(self.dir, "redis.log"), *self.extra])
        for _ in range(100):
            if "PONG" in cli(self.port, "PING"):
                return
            time.sleep(0.1)
        raise SystemExit(f"redis on {self.port} did not start")

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def restart(self):
        self.kill()
        self.start()

    def pause(self):
        self.process.send_signal(signal.SIGSTOP)

    def resume(self):
        self.process.send_signal(signal.SIGCONT)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
            self.process.wait()


class Sentinel(Server):
    def __init__(self, master_port):
        self.master_port = master_port
        super().__init__("sentinel")

    def start(self):
        os.makedirs(self.dir, exist_ok=True)
        conf = os.path.join(self.dir, "sentinel.conf")
        with open(conf, "w") as f:
            f.write(f"port {self.port}\nbind 127.0.0.1\ndir {self.dir}\n"
                    f"sentinel monitor drills 127.0.0.1 {self.master_port} 2\n"
                    "sentinel down-after-milliseconds drills 1000\nsentinel failover-timeout drills 3000\n")
        self.process = subprocess.Popen(["redis-server", conf, "--sentinel", "--logfile", os.path.join(self.dir, "s.log")])
        for _ in range(100):
            if "PONG" in cli(self.port, "PING"):
                return
            time.sleep(0.1)


def single():
    server = Server("single")
    return [server], f"redis://127.0.0.1:{server.port}"


def ring():
    shards = [Server("shard") for _ in range(3)]
    url = "ring://" + ",".join(f"s{i}=127.0.0.1:{s.port}" for i, s in enumerate(shards)) + "?heartbeat=0.5&failureThreshold=2"
    return shards, url


def cluster():
    nodes = [Server("cluster", ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                                "--cluster-node-timeout", "1000", "--repl-diskless-sync-delay", "0"]) for _ in range(6)]
    subprocess.run(["redis-cli", "--cluster", "create", *[f"127.0.0.1:{n.port}" for n in nodes], "--cluster-replicas", "1",
                    "--cluster-yes"], capture_output=True, timeout=60)
    for _ in range(300):
        if all("cluster_state:ok" in cli(n.port, "CLUSTER", "INFO") for n in nodes):
            break
        time.sleep(0.1)
    return nodes, "cluster://" + ",".join(f"127.0.0.1:{n.port}" for n in nodes)


def sentinel():
    master = Server("master")
    replica = Server("replica", ["--replicaof", "127.0.0.1", str(master.port)])
    for _ in range(100):
        if "master_link_status:up" in cli(replica.port, "INFO", "replication"):
            break
        time.sleep(0.1)
    sentinels = [Sentinel(master.port) for _ in range(3)]
    time.sleep(1.5)
    return [master, replica] + sentinels, "sentinel://" + ",".join(f"127.0.0.1:{s.port}" for s in sentinels) + "/drills"


def every(seconds, action):
    def run(servers, stop):
        while not stop.wait(seconds):
            action(servers)
    return run


def at(seconds, action):
    def run(servers, stop):
        if not stop.wait(seconds):
            action(servers)
    return run


def cluster_master(servers):
    # A master that has a replica: the one serving slot of the first staleness key is as good as any.
    for node in servers:
        if "role:master" in cli(node.port, "INFO", "replication") and "connected_slaves:1" in cli(node.port, "INFO", "replication"):
            return node
    return servers[0]


def freeze(servers, seconds):
    servers[0].pause()
    time.sleep(seconds)
    servers[0].resume()


def shard_down_and_back(servers):
    servers[1].kill()
    time.sleep(3)
    servers[1].start()


DRILLS = [
    ("no fault", single, None),
    ("CLIENT KILL TYPE pubsub every 2 s", single, every(2, lambda s: cli(s[0].port, "CLIENT", "KILL", "TYPE", "pubsub"))),
    ("CLIENT KILL TYPE normal every 2 s", single, every(2, lambda s: cli(s[0].port, "CLIENT", "KILL", "TYPE", "normal"))),
    ("SIGSTOP for 1.5 s at 3 s", single, at(3, lambda s: freeze(s, 1.5))),
    ("kill -9 and restart at 3 s", single, at(3, lambda s: s[0].restart())),
    ("FLUSHALL every 2 s", single, every(2, lambda s: cli(s[0].port, "FLUSHALL"))),
    ("ring: a shard down at 3 s, back at 6 s", ring, at(3, shard_down_and_back)),
    ("cluster: kill -9 of a master at 3 s", cluster, at(3, lambda s: cluster_master(s).kill())),
    ("sentinel: kill -9 of the master at 3 s", sentinel, at(3, lambda s: s[0].kill())),
]


def soak(kv, url, seconds, keys):
    out = subprocess.run([kv, "soak", "--workload", "staleness", "--store", url, "--duration", str(seconds),
                          "--tasks", "1", "--keys", str(keys), "--json"], capture_output=True, text=True, timeout=seconds + 120)
    line = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else "{}"
    try:
        return json.loads(line)
    except json.JSONDecodeError:
        return {"error": out.stderr.strip()[-300:]}


def main():
    args = sys.argv[1:]
    if not args:
        raise SystemExit(__doc__)
    kv = os.path.abspath(args[0])
    seconds = float(args[args.index("--seconds") + 1]) if "--seconds" in args else 10
    only = args[args.index("--only") + 1].split(",") if "--only" in args else None
    emit_json = "--json" in args
    shutil.rmtree(WORK, ignore_errors=True)
    print(f"{'fault':60} {'reads':>10} {'stale':>8} {'p99 ms':>8} {'p99.9 ms':>9} {'worst ms':>9}")
    for name, topology, fault in DRILLS:
        if only and not any(o in name for o in only):
            continue
        for cached in (False, True):
            servers, url = topology()
            if cached:
                url += ("&" if "?" in url else "?") + "nearCache=on"
            stop = threading.Event()
            injector = threading.Thread(target=fault, args=(servers, stop)) if fault else None
            try:
                if injector:
                    injector.start()
                report = soak(kv, url, seconds, 20)
            finally:
                stop.set()
                if injector:
                    injector.join()
                for server in servers:
                    server.stop()
            staleness = report.get("staleness") or {}
            label = f"{name} ({'near cache' if cached else 'uncached'})"
            if emit_json:
                print(json.dumps({"fault": name, "nearCache": cached, "report": report}))
            print(f"{label:60.60} {staleness.get('reads', 0):>10} {staleness.get('stale', 0):>8} {staleness.get('p99Ms', 0):>8} "
                  f"{staleness.get('p999Ms', 0):>9} {staleness.get('worstMs', 0):>9}" + (f"  {report['error']}" if "error" in report else ""))
            sys.stdout.flush()
    shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
