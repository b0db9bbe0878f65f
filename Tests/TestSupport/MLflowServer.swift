import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real MLflow tracking server (`mlflow server`, from PyPI) on 127.0.0.1, and small stub
/// servers for the export's failure paths.
public enum MLflowServers {
    /// Starts `mlflow server` with a SQLite backend store and artifact serving into a scratch
    /// directory. It takes tens of seconds to start on a busy machine, so suites start one
    /// and share it. Fails (throws) when mlflow is not installed or does not come up: a test
    /// that needs it must fail, not skip.
    public static func start(lifetime: Double = 1800, startTimeout: Double = 240) throws -> LocalServer {
        try startScript(name: "mlflow server", script: groupWatchdog, lifetime: lifetime, startTimeout: startTimeout,
                        readinessPath: "/health") { port, scratch in
            let data = scratch.appendingPathComponent("mlflow", isDirectory: true)
            try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
            return ["-m", "mlflow", "server", "--host", "127.0.0.1", "--port", String(port), "--workers", "1",
                    "--backend-store-uri", "sqlite:///\(data.path)/mlflow.db",
                    "--artifacts-destination", data.appendingPathComponent("artifacts").path]
        }
    }

    /// A stub of MLflow's REST API for authentication and retry tests (see `authStub`).
    public static func authStub(expectedAuthorization: String, failFirst: Int = 0, lifetime: Double = 300) throws -> LocalServer {
        try startScript(name: "MLflow auth stub", script: LocalServerScripts.watchdog, lifetime: lifetime, startTimeout: 15,
                        readinessPath: "/stats") { port, scratch in
            let stub = scratch.appendingPathComponent("auth_stub.py")
            try authStubScript.write(to: stub, atomically: true, encoding: .utf8)
            return [stub.path, String(port), expectedAuthorization, String(failFirst)]
        }
    }

    /// The Python snippet prelude the tests use to talk to the server with MLflow's own client
    /// (telemetry off, so nothing leaves the machine).
    public static let pythonEnvironment = ["MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"]

    static func startScript(
        name: String, script: String, lifetime: Double, startTimeout: Double, readinessPath: String,
        arguments: (Int, URL) throws -> [String]
    ) throws -> LocalServer {
        try LocalServers.launchPython(name: name, script: script, lifetime: lifetime, startTimeout: startTimeout, attempts: 2,
                                      environment: pythonEnvironment, ready: { port in
            if LocalServers.answersHTTP(port: port, path: readinessPath) { return true }
            usleep(200_000)  // mlflow starts slowly: do not hammer it
            return false
        }, arguments: arguments)
    }

    /// Runs `python3 ARGS...` in a session of its own and ends the whole session (mlflow's
    /// uvicorn and job workers included) on SIGTERM, when the lifetime is over, or when the
    /// parent dies. argv: LIFETIME ARGS...
    static let groupWatchdog = #"""
import os, signal, subprocess, sys, threading, time

lifetime = float(sys.argv[1])
signal.pthread_sigmask(signal.SIG_SETMASK, [])
parent = os.getppid()
child = subprocess.Popen([sys.executable] + sys.argv[2:], start_new_session=True)
stopping = threading.Lock()

def stop(*_):
    if not stopping.acquire(blocking=False):
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(child.pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.05)
        if child.poll() is not None:
            try:
                os.killpg(child.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            break
    os._exit(0)

def watch():
    deadline = time.monotonic() + lifetime
    while time.monotonic() < deadline and os.getppid() == parent and child.poll() is None:
        time.sleep(0.2)
    if child.poll() is None:
        sys.stderr.write("watchdog: stopping the server\n")
        sys.stderr.flush()
    stop()

signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
threading.Thread(target=watch, daemon=True).start()
child.wait()
stop()
"""#

    /// An HTTP stub of `POST /api/2.0/mlflow/experiments/search` that answers 503 to the first
    /// FAIL_FIRST requests, 401 (with MLflow's JSON error) unless the Authorization header is
    /// EXPECTED, and `{"experiments": []}` otherwise. `GET /stats` answers the count of API
    /// requests and the Authorization headers seen. argv: LIFETIME PORT EXPECTED FAIL_FIRST
    static let authStubScript = #"""
import http.server, json, sys, threading

port = int(sys.argv[1])
expected = sys.argv[2]
fail_first = int(sys.argv[3])
state = {"count": 0, "auth": []}

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args):
        pass
    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def do_GET(self):
        if self.path == "/stats":
            self.answer(200, state)
        else:
            self.answer(404, {"error_code": "ENDPOINT_NOT_FOUND", "message": "no such endpoint"})
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        state["count"] += 1
        state["auth"].append(self.headers.get("Authorization", ""))
        if state["count"] <= fail_first:
            self.answer(503, {"error_code": "TEMPORARILY_UNAVAILABLE", "message": "warming up"})
        elif self.headers.get("Authorization", "") != expected:
            self.answer(401, {"error_code": "UNAUTHENTICATED", "message": "You are not authenticated."})
        elif self.path == "/api/2.0/mlflow/experiments/search":
            self.answer(200, {"experiments": []})
        else:
            self.answer(404, {"error_code": "ENDPOINT_NOT_FOUND", "message": "no such endpoint"})

http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
"""#
}
