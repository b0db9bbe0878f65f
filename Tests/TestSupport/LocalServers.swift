import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Why a local test server or helper script failed.
public struct LocalServerError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A server process on 127.0.0.1 started for a test.
///
/// Stop it with `stop()` (also done on deinit). Every server also runs under a watchdog that
/// ends it after its lifetime or when the test process dies.
public final class LocalServer: @unchecked Sendable {
    /// What the server is, for messages.
    public let name: String
    /// The TCP port on 127.0.0.1.
    public let port: Int
    /// Where the server's output goes.
    public let logURL: URL
    private let process: Process
    private let scratch: URL
    private let lock = NSLock()
    private var stopped = false

    init(name: String, port: Int, process: Process, logURL: URL, scratch: URL) {
        self.name = name
        self.port = port
        self.process = process
        self.logURL = logURL
        self.scratch = scratch
    }

    deinit { stop() }

    /// `http://127.0.0.1:PORT` without a trailing slash.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The process id.
    public var pid: Int32 { process.processIdentifier }

    /// The last lines the server wrote, for failure messages.
    public func logTail(_ characters: Int = 2000) -> String {
        guard let data = FileManager.default.contents(atPath: logURL.path) else { return "" }
        return String(decoding: data.suffix(characters), as: UTF8.self)
    }

    /// Ends the server: SIGTERM, a short wait, then SIGKILL (SIGTERM may be ignored, see
    /// PLATFORM.md), and waits until the process is gone.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        defer { try? FileManager.default.removeItem(at: scratch) }
        guard process.isRunning else { return }
        process.terminate()
        if !LocalServers.waitUntil(timeout: 1.0, { !self.process.isRunning }) {
            kill(process.processIdentifier, SIGKILL)
            _ = LocalServers.waitUntil(timeout: 2.0, { !self.process.isRunning })
        }
    }
}

/// Starts the servers the tests download from: all on 127.0.0.1, each with a hard lifetime.
public enum LocalServers {
    /// The shared sample data (`../shared/data` from the package root), never copied into the repo.
    public static let sharedDataDirectory: URL = {
        // This file is Tests/TestSupport/LocalServers.swift, three levels below the package root.
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return packageRoot.appendingPathComponent("../shared/data", isDirectory: true).standardizedFileURL
    }()

    /// How long any server may live, whatever happens to the test that started it.
    public static let defaultLifetime: Double = 300

    /// `python3 -m http.server` serving `directory`.
    public static func staticFileServer(directory: URL, lifetime: Double = defaultLifetime) throws -> LocalServer {
        try startPython(name: "http.server", lifetime: lifetime) { port, _ in
            ["http.server", "--bind", "127.0.0.1", String(port), "--directory", directory.path]
        }
    }

    /// The fault-injection server (see `LocalServerScripts.faultServer` for its paths).
    public static func faultServer(directory: URL, lifetime: Double = defaultLifetime) throws -> LocalServer {
        try startPython(name: "fault server", lifetime: lifetime) { port, scratch in
            let script = scratch.appendingPathComponent("fault_server.py")
            try LocalServerScripts.faultServer.write(to: script, atomically: true, encoding: .utf8)
            return [script.path, String(port), directory.path]
        }
    }

    /// An S3 stub that verifies SigV4 signatures independently (see `LocalServerScripts.sigV4Server`),
    /// serving `root/BUCKET/KEY`.
    public static func sigV4Server(
        root: URL, accessKeyID: String, secretAccessKey: String, region: String = "us-east-1",
        sessionToken: String? = nil, lifetime: Double = defaultLifetime
    ) throws -> LocalServer {
        try startPython(name: "SigV4 stub", lifetime: lifetime) { port, scratch in
            let script = scratch.appendingPathComponent("sigv4_server.py")
            try LocalServerScripts.sigV4Server.write(to: script, atomically: true, encoding: .utf8)
            return [script.path, String(port), root.path, accessKeyID, secretAccessKey, region] + (sessionToken.map { [$0] } ?? [])
        }
    }

    /// `python3 -m moto.server`, an S3 (and IAM) emulator.
    public static func motoServer(lifetime: Double = defaultLifetime) throws -> LocalServer {
        try startPython(name: "moto", lifetime: lifetime, startTimeout: 30) { port, _ in
            ["moto.server", "-H", "127.0.0.1", "-p", String(port)]
        }
    }

    /// Runs a Python snippet to completion and returns its standard output.
    public static func runPython(_ script: String, arguments: [String] = [], timeout: Double = 60) throws -> String {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let scriptURL = directory.appendingPathComponent("snippet.py")
        try script.write(to: scriptURL, atomically: true, encoding: .utf8)
        let outURL = directory.appendingPathComponent("stdout")
        let errURL = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let watchdog = directory.appendingPathComponent("watchdog.py")
        try LocalServerScripts.watchdog.write(to: watchdog, atomically: true, encoding: .utf8)
        process.arguments = ["python3", watchdog.path, String(timeout), scriptURL.path] + arguments
        let outHandle = try FileHandle(forWritingTo: outURL)
        let errHandle = try FileHandle(forWritingTo: errURL)
        defer {
            try? outHandle.close()
            try? errHandle.close()
        }
        process.standardOutput = outHandle
        process.standardError = errHandle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        if !waitUntil(timeout: timeout + 5, { !process.isRunning }) {
            kill(process.processIdentifier, SIGKILL)
            _ = waitUntil(timeout: 2, { !process.isRunning })
            throw LocalServerError("python snippet did not finish within \(timeout) s")
        }
        let out = String(decoding: FileManager.default.contents(atPath: outURL.path) ?? Data(), as: UTF8.self)
        guard process.terminationStatus == 0 else {
            let err = String(decoding: FileManager.default.contents(atPath: errURL.path) ?? Data(), as: UTF8.self)
            throw LocalServerError("python snippet exited with \(process.terminationStatus):\n\(err.suffix(3000))")
        }
        return out
    }

    /// A fresh directory under the system's temporary directory. Its user removes it; what a
    /// shared server (a `static let`) still holds is removed when the test process exits.
    public static func scratchDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("runme-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        ProcessDirectories.shared.add(url)
        return url
    }

    /// A TCP port that was free a moment ago (the kernel picks it; a race with other processes
    /// is possible, so starting a server retries with a new port).
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LocalServerError("socket() failed: \(errno)") }
        defer { close(fd) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw LocalServerError("bind() failed: \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw LocalServerError("getsockname() failed: \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether an HTTP server answers on 127.0.0.1:port (any status counts).
    public static func answersHTTP(port: Int, path: String = "/") -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return false }
        let request = Array("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == request.count else { return false }
        var buffer = [UInt8](repeating: 0, count: 5)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, 5, Int32(MSG_WAITALL)) }
        return count == 5 && String(decoding: buffer, as: UTF8.self) == "HTTP/"
    }

    /// Polls `condition` every 20 ms until it holds or `timeout` seconds pass.
    public static func waitUntil(timeout: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    private static func startPython(
        name: String, lifetime: Double, startTimeout: Double = 15, arguments: (Int, URL) throws -> [String]
    ) throws -> LocalServer {
        try launchPython(name: name, script: LocalServerScripts.watchdog, lifetime: lifetime, startTimeout: startTimeout,
                         ready: { answersHTTP(port: $0) }, arguments: arguments)
    }

    /// Starts `python3 SCRIPT LIFETIME ARGUMENTS…` on a free port, its output in `server.log` of
    /// a scratch directory, and waits until `ready(port)` holds. A server that exits or does not
    /// become ready is stopped and started again on another port, `attempts` times in all: a
    /// port found free can be taken by someone else before the server binds it.
    ///
    /// - Parameters:
    ///   - script: the Python launcher; `LocalServerScripts.watchdog` runs a module or script
    ///     for at most LIFETIME seconds and never outlives the test process.
    ///   - arguments: the arguments after LIFETIME, given the port and the scratch directory.
    static func launchPython(
        name: String, script: String, lifetime: Double, startTimeout: Double = 15, attempts: Int = 3,
        environment: [String: String] = [:], ready: @escaping (Int) -> Bool, arguments: (Int, URL) throws -> [String]
    ) throws -> LocalServer {
        var lastError = LocalServerError("\(name) did not start")
        for _ in 0..<attempts {
            let port = try freePort()
            let scratch = try scratchDirectory()
            let launcher = scratch.appendingPathComponent("launcher.py")
            try script.write(to: launcher, atomically: true, encoding: .utf8)
            let logURL = scratch.appendingPathComponent("server.log")
            _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
            let log = try FileHandle(forWritingTo: logURL)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", launcher.path, String(lifetime)] + (try arguments(port, scratch))
            if !environment.isEmpty {
                process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            }
            process.standardOutput = log
            process.standardError = log
            process.standardInput = FileHandle.nullDevice
            try process.run()
            // The child has its own copy of the descriptor.
            try? log.close()
            let server = LocalServer(name: name, port: port, process: process, logURL: logURL, scratch: scratch)
            if waitUntil(timeout: startTimeout, { !process.isRunning || ready(port) }) && process.isRunning {
                return server
            }
            lastError = LocalServerError("\(name) on port \(port) did not answer within \(startTimeout) s:\n\(server.logTail(4000))")
            server.stop()
        }
        throw lastError
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
