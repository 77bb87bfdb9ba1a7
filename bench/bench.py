#!/usr/bin/env python3
"""Orchestrates the side-by-side benchmark; started by bench/run, which installs
everything first. Runs each measurement on the same data, one after the other, and
prints one table. Results also land in bench/out/results-<N>.json and table.md.
"""

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(HERE, "out")
DOSSIER = os.path.join(ROOT, "target", "release", "dossier")
DRIVER = os.path.join(ROOT, "target", "release", "examples", "bench_driver")
PEERS = os.path.join(HERE, "peers.py")
QUERIES = os.path.join(HERE, "queries.jsonl")
PY = sys.executable


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def timed(command, **kwargs):
    """Runs a command under /usr/bin/time -v; returns (stdout, wall s, peak RSS MB, cpu s)."""
    result = subprocess.run(["/usr/bin/time", "-v"] + command, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{result.stderr[-3000:]}")
    stats = result.stderr

    def field(name):
        return re.search(re.escape(name) + r":\s*(.+)", stats).group(1).strip()
    clock = field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")
    wall = sum(float(part) * 60 ** at for at, part in enumerate(reversed(clock)))
    rss = int(field("Maximum resident set size (kbytes)")) / 1024
    cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
    return result.stdout, wall, rss, cpu


def run_json(command):
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def markdown_bytes(corpus):
    total = 0
    for folder in ("briefs", "entries"):
        for dirpath, _, names in os.walk(os.path.join(corpus, folder)):
            total += sum(os.path.getsize(os.path.join(dirpath, n)) for n in names if n.endswith(".md"))
    return total


def generate(items, seed, entities=0, name=None):
    out = os.path.join(OUT, name or f"corpus-{items}")
    stamp = os.path.join(out, ".generated")
    wanted = f"{items} {seed} {entities}"
    if os.path.exists(stamp) and open(stamp).read() == wanted:
        return out
    subprocess.run(["rm", "-rf", out], check=True)
    log(f"gen-corpus --items {items} --entities {entities} -> {out}")
    subprocess.run([DOSSIER, "gen-corpus", "--items", str(items), "--out", out, "--seed", str(seed),
                    "--entities", str(entities)], check=True, stdout=subprocess.DEVNULL)
    open(stamp, "w").write(wanted)
    return out


PEER_NAMES = {"sqlite": "SQLite FTS5", "xapian": "Xapian"}


def ingest(n, corpus, results, peers, export=True):
    size = markdown_bytes(corpus)
    index = os.path.join(OUT, f"index-{n}")
    subprocess.run(["rm", "-rf", index], check=True)
    log(f"dossier index ({n} items, {size / 1e6:.0f} MB)")
    _, wall, rss, cpu = timed([DOSSIER, "index", corpus, "--index", index],
                              env=dict(os.environ, RUST_LOG="warn"))
    results["ingest"] = {"dossier": {"seconds": wall, "rss_mb": rss, "cpu_s": cpu,
                                     "items_per_s": n / wall, "mb_per_s": size / 1e6 / wall}}
    items = os.path.join(OUT, f"items-{n}.jsonl")
    texts = os.path.join(OUT, f"texts-{n}.jsonl")
    if not export:
        return index, None
    log("export parsed items for the peers")
    results["export"] = run_json([DRIVER, "export", corpus, items, texts, "--text-bytes", str(8 << 20)])
    for peer in peers:
        command = f"ingest-{peer}"
        target = os.path.join(OUT, f"{peer}-{n}")
        subprocess.run(["rm", "-rf", target], check=True)
        log(f"{peer} ingest")
        out, wall, rss, cpu = timed([PY, PEERS, command, items, target])
        results["ingest"][peer] = {"seconds": wall, "rss_mb": rss, "cpu_s": cpu, "items_per_s": n / wall,
                                   "mb_per_s": size / 1e6 / wall, "inner": json.loads(out)}
    return index, texts


def queries(n, index, runs, results, peers):
    log("query latency: dossier, " + ", ".join(PEER_NAMES[p] for p in peers))
    results["query"] = {"dossier": run_json([DRIVER, "query", index, QUERIES, "--runs", str(runs)])}
    for peer in peers:
        results["query"][peer] = run_json([PY, PEERS, f"query-{peer}", os.path.join(OUT, f"{peer}-{n}"),
                                           QUERIES, str(runs)])
    log("entity pages")
    results["entity"] = run_json([DRIVER, "entity", index, "--runs", str(runs)])
    log("first requests after opening the index, as the CLI and as the server open it")
    keys = [entity["key"] for entity in results["entity"]["entities"]]
    results["first"] = {}
    for mode, flags in (("plain", []), ("read_ahead", ["--warm"])):
        # One process per opening: what is kept of segments lives as long as the process.
        runs_of = [run_json([DRIVER, "first", index, QUERIES, *keys, *flags]) for _ in range(FIRST_RUNS)]
        median = lambda values: sorted(values)[len(values) // 2]
        results["first"][mode] = {
            "open_ms": median([r["open_ms"] for r in runs_of]),
            "search_ms": median([r["search_ms"] for r in runs_of]),
            "pages_ms": [median([r["pages"][at]["ms"] for r in runs_of]) for at in range(len(keys))],
            "runs": runs_of,
        }


# Processes per way of opening the index in the first-request measurement; the
# table shows their medians.
FIRST_RUNS = 5


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Seconds of the same load run and discarded before each measured `wrk` run: the
# first seconds of a server's life under load are slower (on the 1M index, with
# 250 KB entity pages, p99 went from 5 ms warm to 250-350 ms in the first 20 s,
# most of the CPU in the kernel's TCP copies and page clearing).
WARMUP_SECONDS = 5


def wrk(url, script, seconds):
    """The measured run, after a discarded warm-up, whose figures are kept apart."""
    warmup = wrk_run(url, script, WARMUP_SECONDS)
    measured = wrk_run(url, script, seconds)
    measured["warmup"] = {k: warmup[k] for k in ("rps", "p50_ms", "p99_ms", "non_2xx")}
    return measured


def wrk_run(url, script, seconds):
    command = ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency"]
    if script:
        command += ["-s", script]
    text = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    unit = {"us": 1e-3, "ms": 1.0, "s": 1e3}

    def latency(p):
        match = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)", text, re.M)
        value = float(match.group(1)) * unit[match.group(2)] if match else 0.0
        return value or None  # wrk prints 0.00us when every request timed out
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    socket_errors = re.search(r"Socket errors: (.*)", text)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),
            "p50_ms": latency(50), "p90_ms": latency(90), "p99_ms": latency(99),
            "non_2xx": int(errors.group(1)) if errors else 0,
            "socket_errors": socket_errors.group(1) if socket_errors else "none", "raw": text}


def http(n, index, results, seconds):
    help_text = subprocess.run([DOSSIER, "--help"], capture_output=True, text=True).stdout
    if not re.search(r"^\s+serve\s", help_text, re.M):
        results["http"] = {"skipped": "dossier has no `serve` command in this build"}
        return
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, RUST_LOG="warn")
    env.pop("DOSSIER_TOKEN", None)
    server = subprocess.Popen([DOSSIER, "serve", "--index", index, "--addr", f"127.0.0.1:{port}"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(base + "/api/search?q=ransomware", timeout=5).read()
                break
            except OSError:
                time.sleep(0.2)
        paths = []
        with open(QUERIES) as lines:
            for line in lines:
                spec = json.loads(line)
                params = [("q", spec["q"])] + [(k, spec[k]) for k in ("section", "entity", "from", "to") if k in spec]
                paths.append("/api/search?" + urllib.parse.urlencode(params))
        script = os.path.join(OUT, "search.lua")
        with open(script, "w") as lua:
            lua.write("local paths = {" + ",".join(json.dumps(p) for p in paths) + "}\n"
                      "local i = 0\nrequest = function()\n  i = i % #paths + 1\n"
                      "  return wrk.format(\"GET\", paths[i])\nend\n")
        # The same queries, ten hits from an offset of 0 to 89 (an analyst paging
        # through the results): 2,700 distinct requests, more than the server keeps
        # answers for, so nearly every request is computed, each at the cost of one
        # page of ten hits.
        fresh = os.path.join(OUT, "search-uncached.lua")
        with open(fresh, "w") as lua:
            lua.write("local paths = {" + ",".join(json.dumps(p) for p in paths) + "}\n"
                      "local i, n = 0, 0\nrequest = function()\n  i = i % #paths + 1\n"
                      "  if i == 1 then n = (n + 1) % 90 end\n"
                      "  return wrk.format(\"GET\", paths[i] .. \"&offset=\" .. n)\nend\n")
        key = results["entity"]["entities"][0]["key"]
        log(f"wrk /api/search ({seconds} s)")
        search = wrk(base + "/", script, seconds)
        log(f"wrk /api/search, uncached ({seconds} s)")
        uncached = wrk(base + "/", fresh, seconds)
        log(f"wrk /api/entities/{key} ({seconds} s)")
        entity = wrk(base + "/api/entities/" + urllib.parse.quote(key, safe=""), None, seconds)
        results["http"] = {"search": search, "search_uncached": uncached, "entity": entity,
                           "entity_key": key}
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def tagging(texts, results, seed):
    """The real registry, then synthetic registries of about 10k and 100k labels."""
    real = os.path.join(ROOT, "..", "shared", "corpus", "ctipilot", "entities", "registry.yaml")
    real = os.environ.get("DOSSIER_CORPUS") and os.path.join(os.environ["DOSSIER_CORPUS"], "entities",
                                                             "registry.yaml") or real
    registries = [("real", real)]
    for labels in (10_000, 100_000):
        corpus = generate(0, seed, entities=labels // 3, name=f"registry-{labels}")
        registries.append((f"{labels // 1000}k", os.path.join(corpus, "entities", "registry.yaml")))
    rows = []
    for name, registry in registries:
        label_file = os.path.join(OUT, f"labels-{name}.jsonl")
        run_json([DRIVER, "labels", registry, label_file])
        log(f"tagging with the {name} registry")
        row = {"registry": name, "dossier": run_json([DRIVER, "tag", registry, texts])}
        row["pyahocorasick"] = run_json([PY, PEERS, "tag", label_file, texts, "pyahocorasick", str(4 << 20)])
        row["flashtext"] = run_json([PY, PEERS, "tag", label_file, texts, "flashtext", str(4 << 20)])
        regex_bytes = {"real": 1 << 20, "10k": 64 << 10, "100k": 8 << 10}[name]
        row["regex"] = run_json([PY, PEERS, "tag", label_file, texts, "regex", str(regex_bytes)])
        rows.append(row)
    results["tagging"] = rows


def fmt(value, digits=None):
    if value is None:
        return "–"
    if digits is None:
        digits = 0 if abs(value) >= 100 else 1 if abs(value) >= 10 else 2 if abs(value) >= 1 else 3
    return f"{value:,.{digits}f}"


def table(all_results):
    rows = []

    def row(measure, size, ours, peer, theirs, higher_is_better):
        ratio = None
        if ours and theirs:
            ratio = ours / theirs if higher_is_better else theirs / ours
        rows.append((measure, size, fmt(ours), peer, fmt(theirs), "–" if ratio is None else f"{ratio:.2f}×"))

    for n, results in all_results:
        size = f"{n // 1000}k" if n < 1_000_000 else f"{n // 1_000_000}M"
        ingest = results["ingest"]
        for metric, label, better in (("items_per_s", "ingest items/s", True), ("mb_per_s", "ingest MB/s", True),
                                      ("rss_mb", "ingest peak RSS MB", False)):
            if not any(peer in ingest for peer in PEER_NAMES):
                row(label, size, ingest["dossier"][metric], "–", None, better)
            for peer, name in PEER_NAMES.items():
                if peer in ingest:
                    row(label, size, ingest["dossier"][metric], name, ingest[peer][metric], better)
        query = results["query"]
        for p in ("p50", "p95", "p99"):
            label = f"query {p} ms (30 queries)"
            if not any(peer in query for peer in PEER_NAMES):
                row(label, size, query["dossier"]["overall"][f"{p}_ms"], "–", None, False)
            for peer, name in PEER_NAMES.items():
                if peer in query:
                    row(label, size, query["dossier"]["overall"][f"{p}_ms"], name,
                        query[peer]["overall"][f"{p}_ms"], False)
        for entity in results["entity"]["entities"]:
            name = f"{entity['role']} ({entity['key']}, {entity['items']} items)"
            # p99 of n samples, and for the most-cited entity (the target) the slowest.
            shown = ("p50", "p99", "max") if entity["role"] == "most-cited" else ("p50", "p99")
            n = entity["latency"].get("n")
            of = f" of {n}" if n else ""
            for p in ("p50", "p99"):
                row(f"entity page {p} ms{of}, {name}", size, entity["latency"][f"{p}_ms"], "–", None, False)
            if "built" in entity:
                for p in shown:
                    row(f"entity page {p} ms{of} built afresh (every segment read), {name}", size,
                        entity["built"][f"{p}_ms"], "–", None, False)
                row(f"entity page ms, first page after opening the index, {name}", size,
                    entity["cold_ms"], "–", None, False)
            if "after_commit" in entity:
                for p in shown:
                    row(f"entity page {p} ms{of}, first visit after a commit adding one brief (read ahead), {name}",
                        size, entity["after_commit"][f"{p}_ms"], "–", None, False)
        if "add" in results["entity"]:
            for p in ("p50", "p99"):
                row(f"adding one brief {p} ms (parse, tag, index, commit, merges, reload read ahead)", size,
                    results["entity"]["add"][f"{p}_ms"], "–", None, False)
        first = results.get("first", {})
        for mode, how in (("plain", "as the CLI opens it"), ("read_ahead", "read ahead, as the server opens it")):
            if mode not in first:
                continue
            f = first[mode]
            row(f"open the index ms, {how} (median of {len(f['runs'])} processes)", size, f["open_ms"], "–", None, False)
            row(f"first search ms after opening, {how} ({f['runs'][0]['query']['q']})", size, f["search_ms"], "–",
                None, False)
            for entity, ms in zip(results["entity"]["entities"], f["pages_ms"]):
                row(f"first page ms after opening, {how}, {entity['role']}", size, ms, "–", None, False)
        http = results.get("http", {})
        if "skipped" in http:
            rows.append(("HTTP", size, http["skipped"], "–", "–", "–"))
        for route in ("search", "search_uncached", "entity"):
            if route in http:
                r = http[route]
                path = {"search": "/api/search (30 queries, answers kept)",
                        "search_uncached": "/api/search (2,700 distinct pages of 10 hits, computed)",
                        "entity": f"/api/entities/{http['entity_key']}"}[route]
                row(f"HTTP {path} req/s (wrk 2t/32c; non-2xx {r['non_2xx']}, socket errors {r['socket_errors']})",
                    size, r["rps"], "–", None, True)
                for p in ("p50", "p99"):
                    row(f"HTTP {path} {p} ms", size, r[f"{p}_ms"], "–", None, False)
    for n, results in all_results[-1:]:
        for tag in results.get("tagging", []):
            ours = tag["dossier"]
            for peer in ("pyahocorasick", "flashtext", "regex"):
                theirs = tag[peer]
                row(f"tagging MB/s, {tag['registry']} registry ({ours['labels']:,} labels)", "texts",
                    ours["mb_per_s"], f"{peer} ({theirs['bytes'] // 1024} KiB)", theirs["mb_per_s"], True)
    header = ("measure", "size", "dossier", "peer", "peer value", "dossier advantage")
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    lines = ["| " + " | ".join(str(c).ljust(w) for c, w in zip(header, widths)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    lines += ["| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |" for r in rows]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", default="100000", help="comma-separated sizes, e.g. 10000,100000,1000000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=20, help="runs per query")
    parser.add_argument("--http-seconds", type=int, default=30)
    parser.add_argument("--skip-tagging", action="store_true")
    parser.add_argument("--peers", default="sqlite,xapian",
                        help="search peers to run beside dossier: sqlite, xapian, both (default) or none")
    args = parser.parse_args()
    peers = [p for p in args.peers.split(",") if p and p != "none"]
    unknown = set(peers) - set(PEER_NAMES)
    if unknown:
        parser.error(f"--peers: unknown {', '.join(sorted(unknown))}; valid: sqlite, xapian, none")
    sizes = [int(s) for s in args.items.split(",")]
    all_results = []
    texts = None
    for n in sizes:
        started = time.time()
        results = {"items": n}
        corpus = generate(n, args.seed)
        tags = n == sizes[-1] and not args.skip_tagging
        index, texts = ingest(n, corpus, results, peers, export=bool(peers) or tags)
        queries(n, index, args.runs, results, peers)
        http(n, index, results, args.http_seconds)
        if tags:
            tagging(texts, results, args.seed)
        results["bench_seconds"] = time.time() - started
        with open(os.path.join(OUT, f"results-{n}.json"), "w") as out:
            json.dump(results, out, indent=1)
        all_results.append((n, results))
    text = table(all_results)
    with open(os.path.join(OUT, "table.md"), "w") as out:
        out.write(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
