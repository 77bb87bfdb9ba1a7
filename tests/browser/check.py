#!/usr/bin/env python3
"""Loads dossier's HTML pages in headless Chromium and checks the rendered DOM.

Started by run.sh with a built binary and an index of the corpus. Serves that
index on a free loopback port, dumps the DOM of each page with `chromium
--dump-dom` (the pages need no script, so the dump is what a person sees) and
checks elements by tag, id and class. Prints one line per check and closes with
"N passed, M failed"; exits 1 when any check fails.
"""
import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from html.parser import HTMLParser

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag = tag
        self.attrs = dict(attrs)
        self.parent = parent
        self.children = []
        self.text = []

    @property
    def classes(self):
        return (self.attrs.get("class") or "").split()

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()

    def find(self, tag=None, id=None, cls=None):
        return [n for n in self.walk()
                if (tag is None or n.tag == tag)
                and (id is None or n.attrs.get("id") == id)
                and (cls is None or cls in n.classes)]

    def all_text(self):
        return "".join("".join(n.text) for n in self.walk())


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "source", "track", "wbr"}


class Tree(HTMLParser):
    """A small DOM: enough to ask which elements sit inside which."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", [], None)
        self.at = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.at)
        self.at.children.append(node)
        if tag not in VOID:
            self.at = node

    def handle_startendtag(self, tag, attrs):
        self.at.children.append(Node(tag, attrs, self.at))

    def handle_endtag(self, tag):
        node = self.at
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.at = node.parent

    def handle_data(self, data):
        self.at.text.append(data)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def dump_dom(url, work):
    profile = tempfile.mkdtemp(dir=work, prefix="chromium-")
    out = subprocess.run(["chromium", *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                          "--dump-dom", url],
                         capture_output=True, text=True, timeout=120)
    if out.returncode != 0 or not out.stdout.strip():
        raise RuntimeError(f"chromium failed on {url}: {out.stderr[-400:]}")
    tree = Tree()
    tree.feed(out.stdout)
    return tree.root


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, condition, detail=""):
        if condition:
            self.passed += 1
            print(f"ok    {name}")
        else:
            self.failed += 1
            print(f"FAIL  {name} {detail}")


def check_search(dom, checks):
    hits = dom.find("li", cls="hit")
    checks.check("search: results listed", len(hits) >= 5, f"({len(hits)} hits)")
    marked = [b for hit in hits for b in hit.find("b")]
    checks.check("search: snippets highlight the query", any(
        "ransomware" in b.all_text().lower() for b in marked))
    facets = dom.find(id="facets")
    checks.check("search: facet panel present", len(facets) == 1)
    section_links = [a for f in dom.find("section", cls="facet")
                     if f.attrs.get("data-facet") == "section"
                     for a in f.find("a") if "section=" in a.attrs.get("href", "")]
    checks.check("search: section facet links filter", len(section_links) >= 2)
    counts = [c.all_text() for c in dom.find("span", cls="count")]
    checks.check("search: facet counts are numbers", counts and all(c.isdigit() for c in counts))
    dates = [i for i in dom.find("input") if i.attrs.get("type") == "date"]
    checks.check("search: date-range inputs", {i.attrs.get("name") for i in dates} == {"from", "to"})
    checks.check("search: pagination", len(dom.find(id="pagination")) == 1)


def check_hostile_query(dom, checks):
    scripts = dom.find("script")
    checks.check("search: a <script> query is not rendered as a script", not scripts)


def check_entity(dom, checks):
    checks.check("entity: name in the heading",
                 any("Secret Blizzard" in h.all_text() for h in dom.find("h1")))
    sparkline = [s for s in dom.find("svg") if "sparkline" in s.classes]
    checks.check("entity: weekly sparkline chart",
                 len(sparkline) == 1 and len(sparkline[0].find("rect")) >= 1)
    bars = [s for s in dom.find("svg") if "bars" in s.classes]
    checks.check("entity: section and source bar charts",
                 len(bars) == 2 and all(len(b.find("rect")) >= 1 for b in bars))
    hosts = [r.attrs.get("data-label") for r in bars[1].find("rect")] if len(bars) == 2 else []
    checks.check("entity: source bars name hosts", "bleepingcomputer.com" in hosts, str(hosts))
    checks.check("entity: relationships", len(dom.find(id="relationships")) == 1
                 and len(dom.find(id="relationships")[0].find("tr")) == 5)
    items = dom.find(id="items")
    checks.check("entity: items about it", items and len(items[0].find("li")) == 3)
    checks.check("entity: co-occurring entities", len(dom.find(id="cooccurring")) == 1)


def check_item(dom, checks):
    mentions = [a for a in dom.find("a", cls="mention")
                if a.attrs.get("href") == "/entities/actor:secretblizzard"]
    checks.check("item: mentions link to entity pages", len(mentions) >= 1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--index", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k != "DOSSIER_TOKEN"}
    server = subprocess.Popen([args.bin, "serve", "--index", args.index,
                               "--addr", f"127.0.0.1:{port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    checks = Checks()
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/", timeout=1)
                break
            except OSError:
                if server.poll() is not None:
                    sys.exit("dossier serve exited before answering")
                time.sleep(0.1)
        pages = [
            ("/search?q=ransomware", check_search),
            ("/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E", check_hostile_query),
            ("/entities/actor:secretblizzard", check_entity),
            ("/items/2026-07-13/russia-ip-camera-hijacking-nato-military-supply-routes",
             check_item),
        ]
        for path, check in pages:
            try:
                check(dump_dom(base + path, args.work), checks)
            except Exception as error:  # a page that fails to load fails its checks
                checks.check(f"load {path}", False, repr(error))
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"{checks.passed} passed, {checks.failed} failed")
    sys.exit(1 if checks.failed else 0)


if __name__ == "__main__":
    main()
