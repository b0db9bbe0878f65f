import Foundation

/// Where things are when tests run: the package root, the shared sample data, the built binary.
public enum TestPaths {
    /// The package root (the directory holding Package.swift).
    public static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    /// `../shared/data` beside the project: real sample data, never copied into the project.
    public static let sharedData: URL = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data", isDirectory: true)

    /// The job manifest of the project.
    public static let jobManifest: URL = packageRoot.appendingPathComponent("Jobs/dns_analytics.json")

    /// The `runme` executable built beside the test bundle (`swift build` puts both in one folder).
    public static var runmeBinary: URL? {
        let executable = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        var directory = executable.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("runme")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        return nil
    }
}

/// A directory under the system's temporary folder, removed when released.
public final class TemporaryDirectory: @unchecked Sendable {
    public let url: URL

    public init(_ label: String = "runme-test") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// A path inside the directory.
    public func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// A new directory under the system's temporary folder for a fixture shared by the whole
    /// test process (a `static let`, which is never released): removed when the process exits.
    public static func forProcess(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        ProcessDirectories.shared.add(url)
        return url
    }
}

/// Directories removed by an `atexit` handler: those `TemporaryDirectory.forProcess` and
/// `LocalServers.scratchDirectory` made, whatever still holds them when the process ends.
final class ProcessDirectories: @unchecked Sendable {
    static let shared = ProcessDirectories()
    private let lock = NSLock()
    private var urls: [URL] = []

    private init() {
        atexit { ProcessDirectories.shared.removeAll() }
    }

    func add(_ url: URL) {
        lock.withLock { urls.append(url) }
    }

    func removeAll() {
        let all = lock.withLock { () -> [URL] in
            defer { urls = [] }
            return urls
        }
        for url in all { try? FileManager.default.removeItem(at: url) }
    }
}
