import Foundation

/// A child process with captured output and a hard time limit, for tests that run the
/// `runme` binary (separate processes sharing one store, signals, exit codes).
public final class ChildProcess: @unchecked Sendable {
    public let process = Process()
    private let stdoutPipe = Pipe()
    private let stderrPipe = Pipe()
    private let lock = NSLock()
    private var stdoutData = Data()
    private var stderrData = Data()

    public init(_ executable: URL, _ arguments: [String], environment: [String: String] = [:], workingDirectory: URL? = nil) {
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["TERM"] = "dumb"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        if let workingDirectory { process.currentDirectoryURL = workingDirectory }
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        process.standardInput = FileHandle.nullDevice
        stdoutPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.lock(); self.stdoutData.append(data); self.lock.unlock()
        }
        stderrPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.lock(); self.stderrData.append(data); self.lock.unlock()
        }
    }

    public func start() throws { try process.run() }

    public var stdout: String { lock.lock(); defer { lock.unlock() }; return String(decoding: stdoutData, as: UTF8.self) }
    public var stderr: String { lock.lock(); defer { lock.unlock() }; return String(decoding: stderrData, as: UTF8.self) }

    /// Waits for the process to end; past `timeout` it is killed and the result says so.
    @discardableResult
    public func wait(timeout: TimeInterval) -> (status: Int32, timedOut: Bool) {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        var timedOut = false
        if process.isRunning {
            timedOut = true
            kill(process.processIdentifier, SIGKILL)
            while process.isRunning { Thread.sleep(forTimeInterval: 0.02) }
        }
        // Let the readability handlers drain what is left in the pipes.
        Thread.sleep(forTimeInterval: 0.05)
        stdoutPipe.fileHandleForReading.readabilityHandler = nil
        stderrPipe.fileHandleForReading.readabilityHandler = nil
        let rest = stdoutPipe.fileHandleForReading.readDataToEndOfFile()
        let restErr = stderrPipe.fileHandleForReading.readDataToEndOfFile()
        lock.lock(); stdoutData.append(rest); stderrData.append(restErr); lock.unlock()
        return (process.terminationStatus, timedOut)
    }

    /// Sends a signal to the process.
    public func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Runs to completion and returns status and output.
    public static func run(_ executable: URL, _ arguments: [String], environment: [String: String] = [:],
                           workingDirectory: URL? = nil, timeout: TimeInterval = 120) throws -> (status: Int32, stdout: String, stderr: String) {
        let child = ChildProcess(executable, arguments, environment: environment, workingDirectory: workingDirectory)
        try child.start()
        let (status, timedOut) = child.wait(timeout: timeout)
        if timedOut {
            return (-9, child.stdout, child.stderr + "\n[test harness: killed after \(timeout) s]")
        }
        return (status, child.stdout, child.stderr)
    }
}
