#!/usr/bin/env python3
"""A scripted client for `rulecheck lsp`, printing TAP.

Usage: lsp-client.py RULECHECK [SRCDIR].  Each test starts a fresh server (behind
RULECHECK_WRAPPER when it is set, e.g. valgrind), speaks to it through
Content-Length framed JSON-RPC, and checks the answers: the handshake,
diagnostics with UTF-16 ranges, changes, saves and closes, malformed input,
unknown methods, the exit status, and agreement with the command line's
json format over the bundled corpus.  Standard library only.
"""

import json
import os
import queue
import shlex
import subprocess
import sys
import tempfile
import threading
import traceback

TIMEOUT = float(os.environ.get("RULECHECK_LSP_TIMEOUT", "60"))
PROGRAM = sys.argv[1] if len(sys.argv) > 1 else "./rulecheck"
SRCDIR = sys.argv[2] if len(sys.argv) > 2 else "."
WRAPPER = shlex.split(os.environ.get("RULECHECK_WRAPPER", ""))
MAX_BODY = 16 << 20


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


def u16(text):
    """The length of TEXT in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def frame(body):
    if isinstance(body, str):
        body = body.encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class Server:
    """One running `rulecheck lsp` and the messages it sent."""

    def __init__(self):
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(WRAPPER + [PROGRAM, "lsp"],
                                     stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=self.stderr)
        self.messages = queue.Queue()
        self.next_id = 1
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    self.messages.put(None)
                    return
                line = line.rstrip(b"\r\n")
                if not line:
                    break
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            body = out.read(length)
            self.messages.put(json.loads(body.decode("utf-8")))

    def send_raw(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, msg):
        self.send_raw(frame(json.dumps(msg, ensure_ascii=False)))

    def notify(self, method, params=None):
        msg = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)

    def request(self, method, params=None, ident=None):
        if ident is None:
            ident = self.next_id
            self.next_id += 1
        msg = {"jsonrpc": "2.0", "id": ident, "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)
        return ident

    def recv(self):
        try:
            msg = self.messages.get(timeout=TIMEOUT)
        except queue.Empty:
            raise Failure("no message from the server in %gs" % TIMEOUT)
        check(msg is not None, "the server closed its output")
        return msg

    def response(self, ident):
        """The next message, which must be the response to IDENT."""
        msg = self.recv()
        check("id" in msg and msg["id"] == ident and "method" not in msg,
              "expected the response to %r, got %r" % (ident, msg))
        return msg

    def error(self, ident, code):
        msg = self.response(ident)
        check("error" in msg and msg["error"].get("code") == code,
              "expected error %d for %r, got %r" % (code, ident, msg))
        check(isinstance(msg["error"].get("message"), str)
              and msg["error"]["message"], "the error has no message")
        return msg["error"]

    def call(self, method, params=None, ident=None):
        return self.response(self.request(method, params, ident))

    def diagnostics(self, uri):
        """The next message, which must publish diagnostics for URI."""
        msg = self.recv()
        check(msg.get("method") == "textDocument/publishDiagnostics",
              "expected diagnostics, got %r" % msg)
        check(msg["params"]["uri"] == uri,
              "diagnostics for %r, not %r" % (msg["params"]["uri"], uri))
        return msg["params"]

    def initialize(self):
        res = self.call("initialize", {"processId": None, "rootUri": None,
                                       "capabilities": {}})
        self.notify("initialized", {})
        return res

    def open(self, uri, text, version=1):
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "json", "version": version,
            "text": text}})
        return self.diagnostics(uri)

    def change(self, uri, version, changes):
        self.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": changes})
        return self.diagnostics(uri)

    def quiet(self):
        """Check that nothing was sent in between, with a request whose
        response must come next."""
        self.error(self.request("rulecheck/ping"), -32601)

    def finish(self, status, shutdown=True):
        if shutdown:
            check(self.call("shutdown")["result"] is None,
                  "shutdown returns null")
            self.notify("exit")
        return self.wait(status)

    def wait(self, status):
        try:
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        try:
            got = self.proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            raise Failure("the server did not exit")
        check(got == status, "exit status %d, expected %d%s"
              % (got, status, self.stderr_text()))
        check(not self.stderr_text(), "standard error is not empty:"
              + self.stderr_text())

    def stderr_text(self):
        self.stderr.seek(0)
        text = self.stderr.read().decode("utf-8", "replace")
        return "\n" + text if text else ""

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.stderr.close()


def by_code(diags, code):
    found = [d for d in diags if d.get("code") == code]
    check(found, "no %r diagnostic in %r" % (code, diags))
    return found[0]


def rng(line, start, end, end_line=None):
    return {"start": {"line": line, "character": start},
            "end": {"line": line if end_line is None else end_line,
                    "character": end}}


# ---- the tests ------------------------------------------------------------

TESTS = []


def test(func):
    TESTS.append(func)
    return func


URI = "file:///work/project/database-rules.json"
CLEAN = '{\n  "read": "doc._openid == auth.openid",\n  "write": false\n}\n'
BAD_LINE = "  \"read\": \"auth.openid == '中文😀' && doc.x ==== 1\","
KEY_LINE = '  "读😀": true,'
BAD = "\r\n".join(["{", BAD_LINE, KEY_LINE, '  "write": false', "}", ""])


@test
def initialize_capabilities(s):
    res = s.initialize()["result"]
    caps = res["capabilities"]
    sync = caps["textDocumentSync"]
    check(caps.get("positionEncoding") == "utf-16", "position encoding")
    check(sync.get("openClose") is True, "openClose")
    check(sync.get("change") == 1, "full document sync")
    check(sync.get("save") in (True, {"includeText": False}), "save")
    check(res["serverInfo"]["name"] == "rulecheck", "server name")
    s.finish(0)


@test
def diagnostics_utf16_ranges(s):
    s.initialize()
    pub = s.open(URI, BAD, version=3)
    diags = pub["diagnostics"]
    check(pub.get("version") == 3, "the version is echoed")

    col = u16(BAD_LINE[:BAD_LINE.index("====") + 3])
    syntax = by_code(diags, "expr-syntax")
    check(syntax["range"] == rng(1, col, col + 1),
          "expr-syntax range %r, expected character %d"
          % (syntax["range"], col))
    check(syntax["severity"] == 1, "an error has severity 1")
    check(syntax["source"] == "rulecheck", "source")
    check(syntax["codeDescription"]["href"].endswith(
        "/doc/checks/expr-syntax.md"), "the href names the check's page")
    check("'='" in syntax["message"], "message %r" % syntax["message"])

    key = by_code(diags, "unknown-key")
    check(key["range"] == rng(2, 2, 2 + u16('"读😀"')),
          "unknown-key range %r" % key["range"])
    check(key["message"] == "unknown key '读😀' in a database rule",
          "message %r" % key["message"])
    s.finish(0)


@test
def byte_order_mark(s):
    line = '\ufeff{"read": "doc.x ==== 1", "write": false}'
    col = u16(line[:line.index("====") + 3])
    s.initialize()
    syntax = by_code(s.open(URI, line + "\n")["diagnostics"], "expr-syntax")
    check(syntax["range"] == rng(0, col, col + 1),
          "a mark the client sent is a character: %r" % syntax["range"])
    s.finish(0)


@test
def severity_and_witness(s):
    text = '{\n  "read": true,\n  "write": "auth != null"\n}\n'
    s.initialize()
    diags = s.open(URI, text)["diagnostics"]
    note = by_code(diags, "delete-inherits-write")
    check(note["severity"] == 3, "a note is information (3)")
    check(note["range"] == rng(2, 2, 9), "note range %r" % note["range"])

    warn = by_code(diags, "anonymous-write")
    check(warn["severity"] == 2, "a warning has severity 2")
    message, sep, witness = warn["message"].partition(
        "\nwitness (anonymous): ")
    check(sep, "no witness in %r" % warn["message"])
    check(json.loads(witness)["auth"]["loginType"] == "ANONYMOUS",
          "witness %r" % witness)
    s.finish(0)


@test
def kind_from_percent_encoded_name(s):
    text = '{\n  "read": true,\n  "write": "auth != null"\n}\n'
    uri = "file:///work/my%20project/%73torage-rules.json"
    s.initialize()
    codes = [d["code"] for d in s.open(uri, text)["diagnostics"]]
    check("anonymous-write" in codes, "codes %r" % codes)
    check("delete-inherits-write" not in codes,
          "the file name makes it storage rules: %r" % codes)
    s.finish(0)


@test
def role_doc_in_one_document(s):
    text = ('{\n  "orders": { "read": "get(`database.roles.${auth.uid}`)'
            '.staff == true", "write": false },\n  "roles": { "read": '
            '"doc._id == auth.uid", "write": "doc._id == auth.uid" }\n}\n')
    s.initialize()
    diags = s.open("file:///work/app.rules.json", text)["diagnostics"]
    check(by_code(diags, "role-doc-writable")["range"] == rng(1, 23, 56),
          "the document summarises its own collections")
    s.finish(0)


def file_uri(path):
    return "file://" + "".join(
        c if c.isalnum() or c in "/-._~" else "%%%02X" % ord(c)
        for c in path)


@test
def configuration_of_the_file(s):
    """The nearest .rulecheck.json governs the document: checks turned
    off, severities, and suppressions; the file is read on every check,
    so an edit of it applies at the next change."""
    with tempfile.TemporaryDirectory() as tmp:
        proj = os.path.join(tmp, "my project")
        os.makedirs(os.path.join(proj, "db"))
        conf = os.path.join(proj, ".rulecheck.json")
        with open(conf, "w", encoding="utf-8") as f:
            f.write('{ "disable": ["delete-inherits-write"],\n'
                    '  "severity": {"anonymous-write": "error"} }\n')
        uri = file_uri(os.path.join(proj, "db", "rules.json"))
        text = '{\n  "read": true,\n  "write": "auth != null"\n}\n'
        s.initialize()
        diags = s.open(uri, text)["diagnostics"]
        codes = [d["code"] for d in diags]
        check("delete-inherits-write" not in codes,
              "disabled by the configuration: %r" % codes)
        check(by_code(diags, "anonymous-write")["severity"] == 1,
              "the configuration makes anonymous-write an error")

        with open(conf, "w", encoding="utf-8") as f:
            f.write('{ "suppressions": [{ "check": "anonymous-write",\n'
                    '  "pointer": "/write", "reason": "a guest book" }] }\n')
        pub = s.change(uri, 2, [{"text": text + " "}])
        codes = [d["code"] for d in pub["diagnostics"]]
        check("anonymous-write" not in codes,
              "suppressed by the edited configuration: %r" % codes)
        check("delete-inherits-write" in codes,
              "no longer disabled: %r" % codes)
    s.finish(0)


@test
def invalid_configuration(s):
    """An invalid configuration is one error at the start of the document,
    naming the file and the position; the server goes on, and a fixed
    configuration applies at the next change."""
    with tempfile.TemporaryDirectory() as tmp:
        conf = os.path.join(tmp, ".rulecheck.json")
        with open(conf, "w", encoding="utf-8") as f:
            f.write('{\n  "owner_fields": ["a"]\n}\n')
        uri = file_uri(os.path.join(tmp, "rules.json"))
        s.initialize()
        diags = s.open(uri, CLEAN)["diagnostics"]
        check(len(diags) == 1, "one diagnostic: %r" % diags)
        check(diags[0]["range"] == rng(0, 0, 0), "at the start")
        check(diags[0]["severity"] == 1, "an error")
        check(".rulecheck.json:2:3: error: unknown key 'owner_fields'"
              in diags[0]["message"], "message %r" % diags[0]["message"])
        with open(conf, "w", encoding="utf-8") as f:
            f.write('{ "ownerFields": ["author"] }\n')
        pub = s.change(uri, 2, [{"text": CLEAN}])
        check(pub["diagnostics"] == [], "clean: %r" % pub["diagnostics"])
    s.finish(0)


def cli_findings(path):
    """The findings of the command line for PATH, as the server should
    publish them."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().replace("\r\n", "\n").replace("\r", "\n")
    lines = lines.split("\n")
    out = subprocess.run([PROGRAM, "--format", "json", path],
                         stdout=subprocess.PIPE, check=False).stdout
    found = []
    for f in json.loads(out)["findings"]:
        def pos(line, col):
            return {"line": line - 1,
                    "character": u16(lines[line - 1][:col - 1])}
        found.append({"code": f["check"], "severity":
                      {"error": 1, "warning": 2, "note": 3}[f["severity"]],
                      "range": {"start": pos(f["line"], f["column"]),
                                "end": pos(f["end_line"], f["end_column"])},
                      "message": f["message"],
                      "witness": [f["class"], f["witness"]]
                      if "witness" in f else None})
    return found


def published(diags):
    found = []
    for d in diags:
        message, sep, witness = d["message"].partition("\nwitness (")
        if sep:
            cls, _, witness = witness.partition("): ")
            witness = [cls, json.loads(witness)]
        found.append({"code": d["code"], "severity": d["severity"],
                      "range": d["range"], "message": message,
                      "witness": witness or None})
    return found


@test
def agrees_with_the_command_line(s):
    corpus = os.path.join(SRCDIR, "corpus")
    paths = sorted(os.path.join(d, f) for d, _, files in os.walk(corpus)
                   for f in files if f.endswith(".json"))
    check(paths, "no rule files under %s" % corpus)
    s.initialize()
    for path in paths:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        uri = "file://" + os.path.abspath(path)
        got = published(s.open(uri, text)["diagnostics"])
        want = cli_findings(path)
        check(got == want, "%s:\n%r\n!=\n%r" % (path, got, want))
        s.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        check(s.diagnostics(uri)["diagnostics"] == [], "closed")
    s.finish(0)


@test
def change_save_close(s):
    s.initialize()
    check(s.open(URI, BAD)["diagnostics"], "the bad rule has findings")

    pub = s.change(URI, 2, [{"text": CLEAN}])
    check(pub["diagnostics"] == [] and pub["version"] == 2,
          "the fixed rule has no findings: %r" % pub)
    pub = s.change(URI, 3, [{"text": BAD}])
    check(by_code(pub["diagnostics"], "expr-syntax"), "broken again")
    pub = s.change(URI, 4, [{"text": BAD}, {"text": CLEAN}])
    check(pub["diagnostics"] == [] and pub["version"] == 4,
          "the last change wins")

    s.notify("textDocument/didSave", {"textDocument": {"uri": URI}})
    check(s.diagnostics(URI)["diagnostics"] == [], "save republishes")
    s.notify("textDocument/didClose", {"textDocument": {"uri": URI}})
    pub = s.diagnostics(URI)
    check(pub["diagnostics"] == [] and "version" not in pub,
          "close clears the diagnostics")
    s.notify("textDocument/didChange", {
        "textDocument": {"uri": URI, "version": 5},
        "contentChanges": [{"text": BAD}]})
    s.quiet()
    s.finish(0)


@test
def ranged_change(s):
    line = "  \"read\": \"'😀中' == doc.t && doc.x == 1\","
    text = "{\n" + line + '\n  "write": false\n}\n'
    at = u16(line[:line.rindex("==")])
    edited = text.replace("doc.x ==", "doc.x ====")
    other = "file:///elsewhere/database-rules.json"
    s.initialize()
    s.open(URI, text)
    pub = s.change(URI, 2, [{"range": rng(1, at, at + 2), "text": "===="}])
    want = s.open(other, edited)["diagnostics"]
    check(by_code(want, "expr-syntax"), "the edited text is wrong")
    check(pub["diagnostics"] == want, "%r != %r" % (pub["diagnostics"], want))
    s.finish(0)


@test
def oversized_document(s):
    text = '{"read": "' + "a" * (9 << 20) + '"}'
    s.initialize()
    diags = s.open(URI, text)["diagnostics"]
    check(len(diags) == 1 and diags[0]["severity"] == 1
          and "larger than" in diags[0]["message"]
          and diags[0]["range"] == rng(0, 0, 0), "diagnostics %r" % diags)
    check(s.change(URI, 2, [{"text": CLEAN}])["diagnostics"] == [],
          "a smaller text is checked again")
    s.finish(0)


@test
def request_before_initialize(s):
    s.error(s.request("shutdown"), -32002)
    s.error(s.request("textDocument/hover", {}), -32002)
    s.notify("textDocument/didOpen", {"textDocument": {
        "uri": URI, "languageId": "json", "version": 1, "text": BAD}})
    check("result" in s.initialize(), "initialize after the refusals")
    s.quiet()
    s.finish(0)


@test
def initialize_twice(s):
    s.initialize()
    s.error(s.request("initialize", {"capabilities": {}}), -32600)
    s.finish(0)


@test
def null_params(s):
    s.initialize()
    s.send({"jsonrpc": "2.0", "id": "down", "method": "shutdown",
            "params": None})
    check(s.response("down")["result"] is None, "shutdown with null params")
    s.send({"jsonrpc": "2.0", "method": "exit", "params": None})
    s.wait(0)


@test
def unknown_methods(s):
    s.initialize()
    err = s.error(s.request("textDocument/hover", {}, ident="h-1"), -32601)
    check("textDocument/hover" in err["message"], err["message"])
    s.notify("workspace/didChangeConfiguration", {"settings": {}})
    s.notify("$/cancelRequest", {"id": 1})
    s.notify("$/setTrace", {"value": "off"})
    s.send({"jsonrpc": "2.0", "id": 99, "result": None})
    s.quiet()
    s.finish(0)


@test
def bad_json(s):
    s.initialize()
    for body in (b'{"jsonrpc": "2.0", "id": 1,', b"", b"\xff\xfe",
                 b'{"jsonrpc":"2.0","id":3,"method":"x"} junk',
                 b'{"jsonrpc":"2.0","id":4,"method":"x"}\x00'):
        s.send_raw(frame(body))
        err = s.error(None, -32700)
    s.quiet()
    s.finish(0)


@test
def invalid_requests(s):
    s.initialize()
    cases = [(b"[1, 2]", None, -32600),
             (b'"text"', None, -32600),
             (b'{"id": 4, "method": "shutdown"}', 4, -32600),
             (b'{"jsonrpc": "1.0", "id": 5, "method": "shutdown"}', 5,
              -32600),
             (b'{"jsonrpc": "2.0", "id": true, "method": "x"}', None,
              -32600),
             (b'{"jsonrpc": "2.0", "id": 6, "method": 6}', 6, -32600),
             (b'{"jsonrpc": "2.0", "id": 7}', 7, -32600),
             (b'{"jsonrpc": "2.0", "id": 8, "method": "shutdown", '
              b'"params": 3}', 8, -32602)]
    for body, ident, code in cases:
        s.send_raw(frame(body))
        s.error(ident, code)
    s.quiet()
    s.finish(0)


@test
def missing_content_length(s):
    s.initialize()
    s.send_raw(b"Content-Type: application/vscode-jsonrpc\r\n\r\n"
               b'{"jsonrpc":"2.0","id":7,"method":"shutdown"}')
    s.error(None, -32700)
    s.quiet()
    s.send_raw(b'{"jsonrpc":"2.0","id":8,"method":"shutdown"}\r\n\r\n')
    s.error(None, -32700)
    s.quiet()
    s.send_raw(b"Content-Length: twelve\r\n\r\n")
    s.error(None, -32700)
    s.send_raw(b"Content-Length: 99999999999999999999999\r\n\r\n")
    s.error(None, -32700)
    s.quiet()
    s.finish(0)


@test
def oversized_header(s):
    s.initialize()
    body = b'{"jsonrpc":"2.0","id":9,"method":"shutdown"}'
    s.send_raw(b"X-Padding: " + b"p" * 20000 + b"\r\n"
               b"Content-Length: %d\r\n\r\n" % len(body) + body)
    s.error(None, -32700)
    s.quiet()
    s.finish(0)


@test
def oversized_body(s):
    s.initialize()
    size = MAX_BODY + 1
    s.send_raw(b"Content-Length: %d\r\n\r\n" % size)
    chunk = b" " * (1 << 20)
    for _ in range(size // len(chunk)):
        s.send_raw(chunk)
    s.send_raw(b" " * (size % len(chunk)))
    s.error(None, -32700)
    s.quiet()
    s.finish(0)


@test
def after_shutdown(s):
    s.initialize()
    check(s.call("shutdown")["result"] is None, "shutdown")
    s.error(s.request("textDocument/hover", {}), -32600)
    s.notify("textDocument/didOpen", {"textDocument": {
        "uri": URI, "languageId": "json", "version": 1, "text": BAD}})
    s.error(s.request("shutdown"), -32600)
    s.notify("exit")
    s.wait(0)


@test
def exit_without_shutdown(s):
    s.initialize()
    s.open(URI, BAD)
    s.notify("exit")
    s.wait(1)


@test
def exit_before_initialize(s):
    s.notify("exit")
    s.wait(1)


@test
def end_of_input(s):
    s.initialize()
    s.open(URI, BAD)
    s.wait(1)


@test
def end_of_input_after_shutdown(s):
    s.initialize()
    s.call("shutdown")
    s.wait(0)


@test
def truncated_message(s):
    s.initialize()
    s.send_raw(b"Content-Length: 100\r\n\r\n{\"jsonrpc\"")
    s.wait(1)


def main():
    if not os.access(PROGRAM, os.X_OK):
        print("Bail out! no program at %s" % PROGRAM)
        return 99
    print("1..%d" % len(TESTS))
    for n, func in enumerate(TESTS, 1):
        server = Server()
        try:
            func(server)
            print("ok %d - %s" % (n, func.__name__))
        except Exception as exc:
            print("not ok %d - %s" % (n, func.__name__))
            text = (str(exc) if isinstance(exc, Failure)
                    else traceback.format_exc())
            text += server.stderr_text() if server.proc.poll() else ""
            for line in text.splitlines():
                print("# " + line)
        finally:
            server.kill()
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
