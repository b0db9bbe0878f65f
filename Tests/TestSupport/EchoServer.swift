import Foundation

/// An HTTP server on 127.0.0.1 that answers every request with what it received, for tests of
/// requests with methods and bodies (`Fetch.HTTPClient`).
public enum EchoServer {
    /// Starts the server. Every answer is JSON: `method`, `path`, `length`, `sha256` of the
    /// body, and the `content_type`, `expect` and `authorization` headers. A path containing
    /// `/fail/N/TOKEN/` answers 503 to the first N requests for that TOKEN.
    public static func start(lifetime: Double = 300) throws -> LocalServer {
        try MLflowServers.startScript(name: "echo server", script: LocalServerScripts.watchdog, lifetime: lifetime, startTimeout: 15,
                                      readinessPath: "/ready") { port, scratch in
            let server = scratch.appendingPathComponent("echo_server.py")
            try script.write(to: server, atomically: true, encoding: .utf8)
            return [server.path, String(port)]
        }
    }

    static let script = #"""
import hashlib, http.server, json, sys, threading

port = int(sys.argv[1])
counts = {}
lock = threading.Lock()

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args):
        pass
    def handle_any(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length) if length else b""
        parts = self.path.split("/")
        if "fail" in parts:
            index = parts.index("fail")
            limit, token = int(parts[index + 1]), parts[index + 2]
            with lock:
                counts[token] = counts.get(token, 0) + 1
                seen = counts[token]
            if seen <= limit:
                data = b'{"error_code": "TEMPORARILY_UNAVAILABLE"}'
                self.send_response(503)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
        answer = {"method": self.command, "path": self.path, "length": len(body),
                  "sha256": hashlib.sha256(body).hexdigest(),
                  "content_type": self.headers.get("Content-Type", ""), "expect": self.headers.get("Expect", ""),
                  "authorization": self.headers.get("Authorization", "")}
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
"""#
}
