#!/usr/bin/env python3
"""Gather the seed corpora of the fuzz targets.

seeds.py SRCDIR OUTDIR [EXTRA...]: OUTDIR/json and OUTDIR/lint get every
rule file of SRCDIR/corpus, the inputs of the golden cases and the files
of each EXTRA directory; OUTDIR/expr gets the strings of those files that
read as expressions; OUTDIR/lsp gets one framed editor session per file.
The committed seeds of SRCDIR/tests/fuzz/seeds/NAME are added to each.
"""

import hashlib
import os
import re
import shutil
import sys

GOLDEN_META = {"cmd", "expected", "status", "todo", "stdin-name"}
MAX_SEED = 64 * 1024
STRING = re.compile(rb'"((?:[^"\\\n]|\\.){1,2048})"')
EXPR_HINT = re.compile(rb"auth|doc\.|request|resource|get\(|now|==|&&|\|\|")


def rule_files(srcdir, extras):
    roots = [os.path.join(srcdir, "corpus")] + extras
    for root in roots:
        for top, _, names in os.walk(root):
            for name in sorted(names):
                if name.endswith((".json", ".jsonc", ".json5")):
                    yield os.path.join(top, name)
    golden = os.path.join(srcdir, "tests", "golden")
    for case in sorted(os.listdir(golden)):
        for top, _, names in os.walk(os.path.join(golden, case)):
            for name in sorted(names):
                if name not in GOLDEN_META:
                    yield os.path.join(top, name)


def put(outdir, name, data):
    if not data or len(data) > MAX_SEED:
        return
    digest = hashlib.sha1(data).hexdigest()
    path = os.path.join(outdir, name, digest)
    with open(path, "wb") as f:
        f.write(data)


def frame(obj):
    body = obj.encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def session(text, uri):
    import json
    msgs = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize",
         "params": {"capabilities": {}}},
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "method": "textDocument/didOpen",
         "params": {"textDocument": {"uri": uri, "languageId": "json",
                                     "version": 1, "text": text}}},
        {"jsonrpc": "2.0", "method": "textDocument/didChange",
         "params": {"textDocument": {"uri": uri, "version": 2},
                    "contentChanges": [
                        {"range": {"start": {"line": 0, "character": 0},
                                   "end": {"line": 0, "character": 1}},
                         "text": "{"}]}},
        {"jsonrpc": "2.0", "id": 2, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "exit"},
    ]
    return b"".join(frame(json.dumps(m)) for m in msgs)


def main():
    srcdir, outdir = sys.argv[1], sys.argv[2]
    extras = [d for d in sys.argv[3:] if os.path.isdir(d)]
    for name in ("json", "expr", "lint", "lsp"):
        shutil.rmtree(os.path.join(outdir, name), ignore_errors=True)
        os.makedirs(os.path.join(outdir, name))
        committed = os.path.join(srcdir, "tests", "fuzz", "seeds", name)
        if os.path.isdir(committed):
            for seed in sorted(os.listdir(committed)):
                with open(os.path.join(committed, seed), "rb") as f:
                    put(outdir, name, f.read())
    for n, path in enumerate(rule_files(srcdir, extras)):
        with open(path, "rb") as f:
            data = f.read()
        put(outdir, "json", data)
        put(outdir, "lint", data)
        for m in STRING.finditer(data):
            if EXPR_HINT.search(m.group(1)):
                put(outdir, "expr", m.group(1).replace(b'\\"', b'"'))
        put(outdir, "lsp", session(data.decode("utf-8", "replace"),
                                   "file:///w/%d/database.rules.json" % n))
    for name in ("json", "expr", "lint", "lsp"):
        count = len(os.listdir(os.path.join(outdir, name)))
        print("seeds: %s: %d files" % (name, count))


if __name__ == "__main__":
    main()
