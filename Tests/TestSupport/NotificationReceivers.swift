import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Local servers that receive alert notifications on 127.0.0.1: an SMTP server (aiosmtpd)
/// and an HTTP receiver for webhooks. Each stores what it received as files in `inbox`, so a
/// test reads exactly what went over the wire.
public final class NotificationReceiver: @unchecked Sendable {
    public let server: LocalServer
    /// One file per message or request, named by arrival order.
    public let inbox: URL

    init(server: LocalServer, inbox: URL) {
        self.server = server
        self.inbox = inbox
    }

    public var port: Int { server.port }

    /// The received items' files (`.eml` for mail, `.json` for HTTP requests), in arrival order.
    public func received() -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: inbox.path)) ?? []
        return names.filter { !$0.hasPrefix(".") && !$0.hasSuffix(".tmp") }.sorted().map { inbox.appendingPathComponent($0) }
    }

    /// Waits until at least `count` items arrived (or `timeout` seconds passed) and returns them.
    @discardableResult
    public func waitForItems(_ count: Int, timeout: Double = 10) -> [URL] {
        _ = LocalServers.waitUntil(timeout: timeout) { self.received().count >= count }
        return received()
    }

    public func stop() { server.stop() }

    // The inbox outlives `stop()`, so that a test may read what arrived after stopping the
    // server; it goes when the receiver does.
    deinit {
        server.stop()
        try? FileManager.default.removeItem(at: inbox)
    }
}

public enum NotificationReceivers {
    /// aiosmtpd on 127.0.0.1 (`pip install aiosmtpd`), saving each message as `NNNN.eml` and its
    /// envelope as `NNNN.envelope.json`. With `username`/`password`, AUTH LOGIN/PLAIN is required
    /// (over plain text, as a local test server may).
    public static func smtp(
        username: String? = nil, password: String? = nil, tls: SMTPTLS? = nil, lifetime: Double = LocalServers.defaultLifetime
    ) throws -> NotificationReceiver {
        let inbox = try LocalServers.scratchDirectory()
        // An implicit-TLS server greets only after the handshake: a TCP connect is the readiness check there.
        let ready: (Int) -> Bool = tls?.implicit == true ? { tcpConnects(port: $0) } : { answersSMTP(port: $0) }
        let server = try start(name: "aiosmtpd", lifetime: lifetime, ready: ready) { port, scratch in
            let script = scratch.appendingPathComponent("smtp_sink.py")
            try smtpSink.write(to: script, atomically: true, encoding: .utf8)
            var arguments = [script.path, String(port), inbox.path]
            if let username { arguments += ["--user", username, "--password", password ?? ""] }
            if let tls { arguments += [tls.implicit ? "--implicit-tls" : "--starttls", tls.certificate.path, tls.key.path] }
            return arguments
        }
        return NotificationReceiver(server: server, inbox: inbox)
    }

    /// TLS for the SMTP server: STARTTLS required on a plain connection, or TLS from the first byte (smtps).
    public struct SMTPTLS {
        public var certificate: URL
        public var key: URL
        public var implicit: Bool
        public init(certificate: URL, key: URL, implicit: Bool) {
            self.certificate = certificate
            self.key = key
            self.implicit = implicit
        }

        /// A self-signed certificate for 127.0.0.1 (made with Python's `cryptography`), written to `directory`.
        public static func selfSigned(in directory: URL, implicit: Bool) throws -> SMTPTLS {
            let certificate = directory.appendingPathComponent("smtp-cert.pem")
            let key = directory.appendingPathComponent("smtp-key.pem")
            _ = try LocalServers.runPython(makeCertificate, arguments: [certificate.path, key.path])
            return SMTPTLS(certificate: certificate, key: key, implicit: implicit)
        }
    }

    static func tcpConnects(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    static let makeCertificate = #"""
import datetime, ipaddress, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

key = ec.generate_private_key(ec.SECP256R1())
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
now = datetime.datetime.now(datetime.timezone.utc)
certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
    .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
    .not_valid_after(now + datetime.timedelta(days=1))
    .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
    .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    .sign(key, hashes.SHA256()))
open(sys.argv[1], "wb").write(certificate.public_bytes(serialization.Encoding.PEM))
open(sys.argv[2], "wb").write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
"""#

    /// An HTTP receiver saving each POST as `NNNN.json` (`{"path", "headers", "body"}`). Paths:
    /// `/fail` answers 500, `/flaky` 500 on its first request then 200, `/ratelimited` 429 with
    /// `Retry-After: 1` on its first request then 200, `/pagerduty` 202 with
    /// PagerDuty's answer, anything else 200 `ok` (as Slack does).
    public static func http(lifetime: Double = LocalServers.defaultLifetime) throws -> NotificationReceiver {
        let inbox = try LocalServers.scratchDirectory()
        let server = try start(name: "webhook receiver", lifetime: lifetime, ready: { LocalServers.answersHTTP(port: $0) }) { port, scratch in
            let script = scratch.appendingPathComponent("webhook_receiver.py")
            try webhookReceiver.write(to: script, atomically: true, encoding: .utf8)
            return [script.path, String(port), inbox.path]
        }
        return NotificationReceiver(server: server, inbox: inbox)
    }

    /// Whether an SMTP server greets with 220 on 127.0.0.1:port.
    public static func answersSMTP(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return false }
        var buffer = [UInt8](repeating: 0, count: 3)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, 3, Int32(MSG_WAITALL)) }
        let greeted = count == 3 && String(decoding: buffer, as: UTF8.self) == "220"
        let quit = Array("QUIT\r\n".utf8)
        _ = quit.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        return greeted
    }

    private static func start(
        name: String, lifetime: Double, ready: @escaping (Int) -> Bool, arguments: (Int, URL) throws -> [String]
    ) throws -> LocalServer {
        try LocalServers.launchPython(name: name, script: LocalServerScripts.watchdog, lifetime: lifetime, ready: ready,
                                      arguments: arguments)
    }

    static let smtpSink = #"""
import argparse, json, os, ssl, sys, time
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

parser = argparse.ArgumentParser()
parser.add_argument("port", type=int)
parser.add_argument("inbox")
parser.add_argument("--user")
parser.add_argument("--password")
parser.add_argument("--starttls", nargs=2)
parser.add_argument("--implicit-tls", nargs=2)
options = parser.parse_args()
port, inbox = options.port, options.inbox
credentials = (options.user, options.password) if options.user else None
counter = [0]

class Sink:
    async def handle_DATA(self, server, session, envelope):
        counter[0] += 1
        base = os.path.join(inbox, "%04d" % counter[0])
        with open(base + ".envelope.json.tmp", "w") as f:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                       "authenticated": session.authenticated,
                       "tls": session.ssl is not None or server.transport.get_extra_info("sslcontext") is not None}, f)
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(base + ".envelope.json.tmp", base + ".envelope.json")
        os.rename(base + ".eml.tmp", base + ".eml")
        return "250 Message accepted for delivery"

def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and credentials is not None and \
        (auth_data.login.decode(), auth_data.password.decode()) == credentials
    return AuthResult(success=ok)

kwargs = {}
if credentials:
    kwargs = dict(authenticator=authenticator, auth_required=True, auth_require_tls=False)
tls = options.starttls or options.implicit_tls
if tls:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tls[0], tls[1])
    if options.starttls:
        kwargs.update(tls_context=context, require_starttls=True)
    else:
        kwargs.update(ssl_context=context)
controller = Controller(Sink(), hostname="127.0.0.1", port=port, **kwargs)
controller.start()
print("smtp sink on", port, flush=True)
while True:
    time.sleep(3600)
"""#

    static let webhookReceiver = #"""
import json, os, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, inbox = int(sys.argv[1]), sys.argv[2]
lock = threading.Lock()
state = {"count": 0, "flaky": 0}

class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode("utf-8", "replace")
        with lock:
            state["count"] += 1
            name = "%04d" % state["count"]
            flaky = state["flaky"]
            if self.path.startswith("/flaky") or self.path.startswith("/ratelimited"):
                state["flaky"] += 1
        record = {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
        target = os.path.join(inbox, name + ".json")
        with open(target + ".tmp", "w") as f:
            json.dump(record, f)
        os.rename(target + ".tmp", target)
        retry_after = None
        if self.path.startswith("/fail") or (self.path.startswith("/flaky") and flaky == 0):
            status, answer, kind = 500, b"internal error", "text/plain"
        elif self.path.startswith("/ratelimited") and flaky == 0:
            status, answer, kind, retry_after = 429, b"rate limited", "text/plain", "1"
        elif self.path.startswith("/pagerduty"):
            key = json.loads(body).get("dedup_key", "")
            status, kind = 202, "application/json"
            answer = json.dumps({"status": "success", "message": "Event processed", "dedup_key": key}).encode()
        else:
            status, answer, kind = 200, b"ok", "text/plain"
        self.send_response(status)
        if retry_after:
            self.send_header("Retry-After", retry_after)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
"""#
}
