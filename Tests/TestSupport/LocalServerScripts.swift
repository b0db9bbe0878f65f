// Python programs the local test servers run. They are kept as Swift strings (and written to a
// temporary directory at test time) so that the TestSupport target holds only Swift sources.

enum LocalServerScripts {
    /// Runs a module or script with a watchdog: signals blocked by the parent (Foundation's
    /// Process under Swift Testing inherits a blocked mask) are unblocked, and the process exits
    /// when its lifetime is over or its parent dies, so no server outlives a crashed test run.
    ///
    /// argv: LIFETIME_SECONDS MODULE_OR_SCRIPT.py [ARGS...]
    static let watchdog = #"""
import os, runpy, signal, sys, threading, time

lifetime = float(sys.argv[1])
target = sys.argv[2]
parent = os.getppid()
signal.pthread_sigmask(signal.SIG_SETMASK, [])
for number in (signal.SIGTERM, signal.SIGINT):
    signal.signal(number, signal.SIG_DFL)

def watch():
    deadline = time.monotonic() + lifetime
    while time.monotonic() < deadline:
        if os.getppid() != parent:
            os._exit(3)
        time.sleep(0.2)
    sys.stderr.write("watchdog: lifetime of %s s is over\n" % lifetime)
    sys.stderr.flush()
    os._exit(2)

threading.Thread(target=watch, daemon=True).start()
sys.argv = [target] + sys.argv[3:]
if target.endswith(".py"):
    runpy.run_path(target, run_name="__main__")
else:
    runpy.run_module(target, run_name="__main__", alter_sys=True)
"""#

    /// An HTTP server for fault injection, serving files from a directory.
    ///
    /// argv: PORT DIRECTORY. Paths are `/MODE/PARAM/TOKEN/FILE`; request counts are kept per
    /// full path, so tests use a fresh TOKEN each time.
    ///
    /// - `flaky/N`: the first N requests get 503 (with `Retry-After: R` if `?retry_after=R`).
    /// - `cut/N`: the first request announces the full length, sends N bytes and hangs up;
    ///   later requests honour `Range` (206) and `If-Range`.
    /// - `norange/N`: like `cut`, but later requests ignore `Range` and send 200 with everything.
    /// - `badrange/N`: like `cut`, but later requests answer 206 from the wrong offset.
    /// - `status/CODE`: answers CODE with a short text body.
    /// - `etag/0`: sends ETag and Last-Modified; 304 to a matching If-None-Match.
    /// - `gzip/0`: sends the file with `Content-Encoding: gzip`.
    /// - `slow/MS`: sends 4 KiB every MS milliseconds.
    /// - `count/0/TOKEN`: answers the number of requests seen for every path containing TOKEN.
    static let faultServer = #"""
import email.utils, gzip, hashlib, http.server, os, socket, sys, threading, time, urllib.parse

port = int(sys.argv[1])
root = sys.argv[2]
counts = {}
lock = threading.Lock()

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.requestline, fmt % args))

    def plain(self, code, text, extra=None):
        body = text.encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        parsed = urllib.parse.urlparse(self.path)
        query = urllib.parse.parse_qs(parsed.query)
        parts = parsed.path.strip("/").split("/", 3)
        with lock:
            counts[parsed.path] = counts.get(parsed.path, 0) + 1
            seen = counts[parsed.path]
        if parts[0] == "count" and len(parts) >= 3:
            with lock:
                total = sum(n for p, n in counts.items() if parts[2] in p and not p.startswith("/count/"))
            return self.plain(200, str(total))
        if len(parts) < 4:
            return self.plain(400, "expected /MODE/PARAM/TOKEN/FILE")
        mode, param, _token, name = parts
        if mode == "status":
            return self.plain(int(param), "status %s for %s\n" % (param, name))
        path = os.path.join(root, name)
        if not os.path.isfile(path):
            return self.plain(404, "no such file: %s\n" % name)
        with open(path, "rb") as f:
            data = f.read()
        etag = '"%s"' % hashlib.sha256(data).hexdigest()[:32]
        modified = email.utils.formatdate(os.path.getmtime(path), usegmt=True)
        if mode == "flaky" and seen <= int(param):
            extra = {"Retry-After": query["retry_after"][0]} if "retry_after" in query else {}
            return self.plain(503, "try again later\n", extra)
        if mode == "etag" and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if mode == "gzip":
            body = gzip.compress(data)
            self.send_response(200)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if mode in ("cut", "norange", "badrange") and seen == 1:
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("ETag", etag)
            self.send_header("Accept-Ranges", "bytes")
            self.end_headers()
            self.wfile.write(data[: int(param)])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        wanted = self.headers.get("Range")
        if_range = self.headers.get("If-Range")
        if wanted and mode in ("cut", "badrange") and (if_range is None or if_range == etag):
            start = int(wanted.split("=", 1)[1].split("-", 1)[0])
            if mode == "badrange":
                start = max(0, start - 10)
            if start >= len(data):
                return self.plain(416, "range not satisfiable\n", {"Content-Range": "bytes */%d" % len(data)})
            self.send_response(206)
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
            self.send_header("Content-Length", str(len(data) - start))
            self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(data[start:])
            return
        if mode == "slow":
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            for offset in range(0, len(data), 4096):
                try:
                    self.wfile.write(data[offset:offset + 4096])
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(int(param) / 1000.0)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", modified)
        self.end_headers()
        self.wfile.write(data)

server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
server.daemon_threads = True
server.serve_forever()
"""#

    /// A minimal S3 endpoint that checks AWS Signature Version 4 the way AWS specifies it,
    /// independently of libcurl and of moto: the canonical request is rebuilt from the decoded
    /// path and query, re-encoded with the SigV4 rules (everything but `A-Za-z0-9-_.~` and, in
    /// paths, `/` is percent-encoded). moto's own check cannot be used for keys with characters
    /// such as `+` or for list prefixes with `/`: it signs the decoded forms, and even boto3's
    /// requests fail there.
    ///
    /// argv: PORT ROOT ACCESS_KEY_ID SECRET REGION [SESSION_TOKEN]. `/BUCKET/KEY` serves
    /// ROOT/BUCKET/KEY; `/BUCKET?list-type=2&prefix=&max-keys=&continuation-token=` lists the
    /// files under ROOT/BUCKET, paginated (the token is the index of the next key).
    static let sigV4Server = #"""
import hashlib, hmac, http.server, os, sys, urllib.parse
from xml.sax.saxutils import escape

port, root, access_key, secret, region = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
session_token = sys.argv[6] if len(sys.argv) > 6 else None

def enc(text, safe):
    return urllib.parse.quote(text, safe=safe)

def sign(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.requestline, fmt % args))

    def answer(self, code, body, content_type="application/xml"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def error(self, code, s3code, message):
        self.answer(code, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message></Error>"
                    % (s3code, escape(message)))

    def check_signature(self, raw_path, raw_query):
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("AWS4-HMAC-SHA256 "):
            return ("AccessDenied", "anonymous access is not allowed")
        fields = dict(part.strip().split("=", 1) for part in auth[len("AWS4-HMAC-SHA256 "):].split(","))
        scope = fields["Credential"].split("/")
        if scope[0] != access_key:
            return ("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
        payload = self.headers.get("x-amz-content-sha256")
        if payload is None:
            return ("InvalidRequest", "Missing required header for this request: x-amz-content-sha256")
        signed = fields["SignedHeaders"].split(";")
        if session_token is not None:
            if self.headers.get("x-amz-security-token") != session_token or "x-amz-security-token" not in signed:
                return ("InvalidToken", "The provided token is malformed or otherwise invalid.")
        path = enc(urllib.parse.unquote(raw_path), "/~")
        pairs = [p.split("=", 1) if "=" in p else [p, ""] for p in raw_query.split("&") if p]
        query = "&".join("%s=%s" % kv for kv in sorted(
            (enc(urllib.parse.unquote(k), "~"), enc(urllib.parse.unquote(v), "~")) for k, v in pairs))
        headers = "".join("%s:%s\n" % (name, " ".join(self.headers.get(name, "").split())) for name in signed)
        canonical = "\n".join([self.command, path, query, headers, ";".join(signed), payload])
        amz_date = self.headers.get("x-amz-date", "")
        string_to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, "/".join(scope[1:]),
                                    hashlib.sha256(canonical.encode()).hexdigest()])
        key = sign(sign(sign(sign(("AWS4" + secret).encode(), scope[1]), scope[2]), scope[3]), "aws4_request")
        expected = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
        if scope[2] != region or not hmac.compare_digest(expected, fields["Signature"]):
            sys.stderr.write("canonical request:\n%s\n" % canonical)
            return ("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
        return None

    def do_GET(self):
        raw_path, _, raw_query = self.path.partition("?")
        problem = self.check_signature(raw_path, raw_query)
        if problem:
            return self.error(400 if problem[0] == "InvalidRequest" else 403, problem[0], problem[1])
        parts = urllib.parse.unquote(raw_path).lstrip("/").split("/", 1)
        bucket_dir = os.path.join(root, parts[0])
        if not os.path.isdir(bucket_dir):
            return self.error(404, "NoSuchBucket", "The specified bucket does not exist")
        if len(parts) == 1 or parts[1] == "":
            query = dict(urllib.parse.parse_qsl(raw_query, keep_blank_values=True))
            prefix = query.get("prefix", "")
            max_keys = int(query.get("max-keys", "1000"))
            start = int(query.get("continuation-token", "0") or "0")
            keys = []
            for directory, _dirs, files in os.walk(bucket_dir, followlinks=True):
                for name in files:
                    key = os.path.relpath(os.path.join(directory, name), bucket_dir)
                    if key.startswith(prefix):
                        keys.append(key)
            keys.sort()
            page = keys[start:start + max_keys]
            truncated = start + max_keys < len(keys)
            contents = "".join("<Contents><Key>%s</Key><Size>%d</Size><ETag>&quot;x&quot;</ETag></Contents>"
                               % (escape(k), os.path.getsize(os.path.join(bucket_dir, k))) for k in page)
            token = "<NextContinuationToken>%d</NextContinuationToken>" % (start + max_keys) if truncated else ""
            return self.answer(200, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>%s</Name><Prefix>%s</Prefix>"
                "<KeyCount>%d</KeyCount><MaxKeys>%d</MaxKeys><IsTruncated>%s</IsTruncated>%s%s</ListBucketResult>"
                % (escape(parts[0]), escape(prefix), len(page), max_keys, "true" if truncated else "false", contents, token))
        path = os.path.join(bucket_dir, parts[1])
        if not os.path.isfile(path):
            return self.error(404, "NoSuchKey", "The specified key does not exist.")
        with open(path, "rb") as f:
            self.answer(200, f.read(), "application/octet-stream")

server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
server.daemon_threads = True
server.serve_forever()
"""#
}
