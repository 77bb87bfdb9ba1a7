#!/usr/bin/env python3
"""The engines an analyst would pick instead of dossier, driven on the same data.

Run with the Debian python (python3-xapian lives there), from the venv that
bench/run creates with --system-site-packages (pyahocorasick, flashtext).

  peers.py ingest-sqlite ITEMS.jsonl DB
  peers.py ingest-xapian ITEMS.jsonl DBDIR
  peers.py query-sqlite DB QUERIES.jsonl RUNS
  peers.py query-xapian DBDIR QUERIES.jsonl RUNS
  peers.py tag LABELS.jsonl TEXTS.jsonl ENGINE [MAX_BYTES]   ENGINE: pyahocorasick|flashtext|regex

Every command prints one JSON object. Ingest reads the documents dossier exported
(parsed and tagged by dossier, so the peers do no markdown parsing and no
tagging: their ingest time is JSON decoding + indexing + commit only). Queries
return the top 10 by BM25 with a snippet of the body, like dossier, but no facet
counts and no exact total.
"""

import json
import math
import re
import sqlite3
import sys
import time


def percentiles(samples):
    samples = sorted(samples)
    def at(p):
        return samples[min(len(samples), max(1, math.ceil(len(samples) * p))) - 1]
    return {"p50_ms": at(0.5), "p95_ms": at(0.95), "p99_ms": at(0.99), "max_ms": at(1.0), "n": len(samples)}


def documents(path):
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


# ---------------------------------------------------------------- query syntax

def lex(text):
    """dossier's syntax: words, "phrases", -exclusion, OR."""
    out, i = [], 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        negated = text[i] == "-" and i + 1 < len(text) and (text[i + 1] == '"' or text[i + 1].isalnum())
        start = i + 1 if negated else i
        if text[start] == '"':
            close = text.index('"', start + 1)
            out.append(("phrase", text[start + 1:close], negated))
            i = close + 1
            continue
        end = start
        while end < len(text) and not text[end].isspace() and text[end] != '"':
            end += 1
        word = text[start:end]
        out.append(("or" if word == "OR" and not negated else "word", word, negated))
        i = max(end, start + 1)
    return out


def translate(text, quote, neg, join_or):
    """Clauses ANDed; `a OR b` grouped in brackets."""
    clauses = []
    pending_or = False
    for kind, value, negated in lex(text):
        if kind == "or":
            pending_or = True
            continue
        term = quote(value)
        if negated:
            term = neg(term)
        if pending_or and clauses:
            previous = clauses.pop()
            group = previous[1] + [term] if previous[0] == "any" else [previous[1], term]
            clauses.append(("any", group))
        else:
            clauses.append(("one", term))
        pending_or = False
    parts = [c[1] if c[0] == "one" else "(" + join_or.join(c[1]) + ")" for c in clauses]
    return " ".join(parts)


def fts5_query(text):
    def quote(value):
        words = re.findall(r"\w+", value)
        return '"' + " ".join(words) + '"'
    return translate(text, quote, lambda t: "NOT " + t, " OR ")


def xapian_query(text):
    def quote(value):
        return '"' + value + '"' if " " in value else value
    return translate(text, quote, lambda t: "-" + t, " OR ")


def queries(path):
    with open(path, encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


# ---------------------------------------------------------------- SQLite FTS5

def ingest_sqlite(items, db):
    started = time.perf_counter()
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute(
        "CREATE VIRTUAL TABLE items USING fts5(id UNINDEXED, date UNINDEXED, section UNINDEXED,"
        " title, body, tokenize='unicode61 remove_diacritics 2')"
    )
    con.execute("CREATE TABLE entity(key TEXT, item INTEGER)")
    count = 0
    rows, links = [], []
    for doc in documents(items):
        count += 1
        rows.append((count, doc["id"], doc["date"], doc["section"], doc["title"], doc["body"]))
        links.extend((key, count) for key in doc["entities"])
        if len(rows) == 5000:
            con.executemany("INSERT INTO items(rowid, id, date, section, title, body) VALUES (?,?,?,?,?,?)", rows)
            con.executemany("INSERT INTO entity VALUES (?,?)", links)
            rows, links = [], []
    con.executemany("INSERT INTO items(rowid, id, date, section, title, body) VALUES (?,?,?,?,?,?)", rows)
    con.executemany("INSERT INTO entity VALUES (?,?)", links)
    con.execute("CREATE INDEX entity_key ON entity(key)")
    con.commit()
    con.close()
    return {"documents": count, "seconds": time.perf_counter() - started}


def query_sqlite(db, path, runs):
    con = sqlite3.connect(db)
    overall, rows = [], []
    for spec in queries(path):
        sql = ("SELECT id, title, date, snippet(items, 4, '<b>', '</b>', '…', 32)"
               " FROM items WHERE items MATCH ?")
        args = [fts5_query(spec["q"])]
        if "section" in spec:
            sql += " AND section = ?"
            args.append(spec["section"])
        if "entity" in spec:
            sql += " AND rowid IN (SELECT item FROM entity WHERE key = ?)"
            args.append(spec["entity"])
        if "from" in spec:
            sql += " AND date BETWEEN ? AND ?"
            args += [spec["from"], spec["to"]]
        sql += " ORDER BY bm25(items, 0, 0, 0, 3.0, 1.0) LIMIT 10"
        hits = len(con.execute(sql, args).fetchall())
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            con.execute(sql, args).fetchall()
            samples.append((time.perf_counter() - started) * 1e3)
        overall += samples
        rows.append({"query": spec, "match": args[0], "hits": hits, "latency": percentiles(samples)})
    return {"overall": percentiles(overall), "queries": rows}


# ---------------------------------------------------------------- Xapian

def ingest_xapian(items, path):
    import xapian
    started = time.perf_counter()
    db = xapian.WritableDatabase(path, xapian.DB_CREATE_OR_OVERWRITE)
    generator = xapian.TermGenerator()
    count = 0
    for doc in documents(items):
        count += 1
        document = xapian.Document()
        generator.set_document(document)
        generator.index_text(doc["title"], 3)
        generator.increase_termpos()
        generator.index_text(doc["body"])
        document.add_boolean_term("Q" + doc["id"])
        document.add_boolean_term("XS" + doc["section"])
        for key in doc["entities"]:
            document.add_boolean_term(("XE" + key)[:240])
        document.add_value(0, doc["date"])
        document.set_data(json.dumps({"id": doc["id"], "title": doc["title"], "date": doc["date"], "body": doc["body"]}))
        db.add_document(document)
    db.commit()
    db.close()
    return {"documents": count, "seconds": time.perf_counter() - started}


def query_xapian(path, qpath, runs):
    import xapian
    db = xapian.Database(path)
    parser = xapian.QueryParser()
    parser.set_database(db)
    parser.set_default_op(xapian.Query.OP_AND)
    flags = (xapian.QueryParser.FLAG_PHRASE | xapian.QueryParser.FLAG_BOOLEAN
             | xapian.QueryParser.FLAG_LOVEHATE)

    def run(spec, text):
        query = parser.parse_query(text, flags)
        if "section" in spec:
            query = xapian.Query(xapian.Query.OP_FILTER, query, xapian.Query("XS" + spec["section"]))
        if "entity" in spec:
            query = xapian.Query(xapian.Query.OP_FILTER, query, xapian.Query("XE" + spec["entity"]))
        if "from" in spec:
            span = xapian.Query(xapian.Query.OP_VALUE_RANGE, 0, spec["from"], spec["to"])
            query = xapian.Query(xapian.Query.OP_FILTER, query, span)
        enquire = xapian.Enquire(db)
        enquire.set_query(query)
        mset = enquire.get_mset(0, 10)
        out = []
        for match in mset:
            data = json.loads(match.document.get_data())
            out.append((data["id"], mset.snippet(data["body"], 220)))
        return out, mset.get_matches_estimated()

    overall, rows = [], []
    for spec in queries(qpath):
        text = xapian_query(spec["q"])
        hits, estimate = run(spec, text)
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            run(spec, text)
            samples.append((time.perf_counter() - started) * 1e3)
        overall += samples
        rows.append({"query": spec, "parsed": text, "hits": len(hits), "estimate": estimate,
                     "latency": percentiles(samples)})
    return {"overall": percentiles(overall), "queries": rows}


# ---------------------------------------------------------------- tagging

CVE = re.compile(r"(?<!\w)[Cc][Vv][Ee]-(\d{4})-(\d{4,})(?!\w)")
# More ids of the same year listed after the first, as dossier reads them
# (src/tagger/cve.rs): `/29202`, ` / 5788`, `/-49201`, `/27` for 23927 after 23926.
SEPARATOR = re.compile(r" ?/ ?-?")
DIGITS = re.compile(r"[0-9]*")


def sequence_number(previous, written):
    if 1 <= len(written) <= 3 and len(written) < len(previous):
        number = previous[:len(previous) - len(written)] + written
        if number <= previous:
            return None
    elif 4 <= len(written) <= 7:
        number = written
    else:
        return None
    year = len(number) == 4 and "1990" <= number < "2100"
    zeros = set(number) == {"0"}
    padded = len(number) > 4 and number.startswith("0")
    return None if year or zeros or padded else number


def goes_on(text, end):
    following = text[end:end + 2]
    return following[:1] == "-" or (following[:1] in (".", ":") and following[1:2].isdigit())


def cve_mentions(text):
    """CVE ids by dossier's rule, each listed number a mention of its own id."""
    found = []
    for match in CVE.finditer(text):
        found.append((match.start(), match.end(), match.group().upper()))
        previous, at, listed = match.group(2), match.end(), []
        while separator := SEPARATOR.match(text, at):
            first = separator.end()
            last = DIGITS.match(text, first).end()
            number = sequence_number(previous, text[first:last])
            glued = last < len(text) and is_word(text[last])
            if number is None or glued or goes_on(text, last):
                if listed and text[at] == "/":
                    listed.pop()
                break
            listed.append((first, last, f"CVE-{match.group(1)}-{number}"))
            previous, at = number, last
        found += listed
    return found


def load_labels(path):
    with open(path, encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def is_word(ch):
    return ch.isalnum() or ch == "_"


def bounded(text, start, end):
    if start > 0 and is_word(text[start - 1]) and is_word(text[start]):
        return False
    if end < len(text) and is_word(text[end]) and is_word(text[end - 1]):
        return text[end:end + 2] in ("'s", "’s")
    return True


def select(candidates):
    """Leftmost first, longest at a position, no overlaps: dossier's selection."""
    candidates.sort(key=lambda c: (c[0], -c[1]))
    chosen, covered = [], 0
    for start, end, key in candidates:
        if start >= covered:
            chosen.append((start, end, key))
            covered = end
    return chosen


def pyahocorasick_tagger(labels):
    import ahocorasick
    automaton = ahocorasick.Automaton()
    for entry in labels:
        folded = entry["label"].lower()
        targets = automaton.get(folded, None)
        target = (entry["key"], entry["label"] if entry["exact"] else None)
        if targets is None:
            automaton.add_word(folded, (len(folded), [target]))
        else:
            targets[1].append(target)
    automaton.make_automaton()

    def tag(text):
        folded = text.lower()
        if len(folded) != len(text):
            folded = text  # rare: case folding changed the length; fall back to exact
        candidates = []
        for end, (length, targets) in automaton.iter(folded):
            start, end = end - length + 1, end + 1
            if not bounded(text, start, end):
                continue
            for key, exact in targets:
                if exact is None or text[start:end] == exact:
                    candidates.append((start, end, key))
        candidates += cve_mentions(text)
        return select(candidates)
    return tag


def flashtext_tagger(labels):
    from flashtext import KeywordProcessor
    anycase = KeywordProcessor(case_sensitive=False)
    exact = KeywordProcessor(case_sensitive=True)
    for entry in labels:
        (exact if entry["exact"] else anycase).add_keyword(entry["label"], entry["key"])

    def tag(text):
        candidates = [(s, e, k) for k, s, e in anycase.extract_keywords(text, span_info=True)]
        candidates += [(s, e, k) for k, s, e in exact.extract_keywords(text, span_info=True)]
        candidates += cve_mentions(text)
        return select(candidates)
    return tag


def regex_tagger(labels):
    """One regex per label, every label tested independently: the originating site's way."""
    patterns = []
    for entry in labels:
        flags = 0 if entry["exact"] else re.IGNORECASE
        patterns.append((re.compile(r"(?<!\w)" + re.escape(entry["label"]) + r"(?!\w)", flags), entry["key"]))

    def tag(text):
        found = [(m.start(), m.end(), key) for pattern, key in patterns for m in pattern.finditer(text)]
        found += cve_mentions(text)
        return found
    return tag


def tag_bench(labels_path, texts_path, engine, max_bytes):
    labels = load_labels(labels_path)
    texts = []
    size = 0
    with open(texts_path, encoding="utf-8") as lines:
        for line in lines:
            text = json.loads(line)
            texts.append(text)
            size += len(text.encode("utf-8"))
            if size >= max_bytes:
                break
    started = time.perf_counter()
    tag = {"pyahocorasick": pyahocorasick_tagger, "flashtext": flashtext_tagger, "regex": regex_tagger}[engine](labels)
    build = time.perf_counter() - started
    started = time.perf_counter()
    mentions = sum(len(tag(text)) for text in texts)
    seconds = time.perf_counter() - started
    return {"engine": engine, "labels": len(labels), "texts": len(texts), "bytes": size, "mentions": mentions,
            "seconds": seconds, "mb_per_s": size / 1e6 / seconds, "build_s": build}


def main(argv):
    command = argv[1]
    if command == "ingest-sqlite":
        out = ingest_sqlite(argv[2], argv[3])
    elif command == "ingest-xapian":
        out = ingest_xapian(argv[2], argv[3])
    elif command == "query-sqlite":
        out = query_sqlite(argv[2], argv[3], int(argv[4]))
    elif command == "query-xapian":
        out = query_xapian(argv[2], argv[3], int(argv[4]))
    elif command == "tag":
        out = tag_bench(argv[2], argv[3], argv[4], int(argv[5]) if len(argv) > 5 else 1 << 60)
    else:
        raise SystemExit(__doc__)
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv)
