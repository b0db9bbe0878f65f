import Fetch
import Foundation
import TestSupport
import Testing

/// Shared helpers for the Fetch tests.
enum Fixtures {
    /// The shared sample data, served or read in place, never copied into the repository.
    static let dataDirectory = LocalServers.sharedDataDirectory

    static func dataFile(_ name: String) -> URL {
        dataDirectory.appendingPathComponent(name)
    }

    static func contents(_ url: URL) throws -> Data {
        try #require(FileManager.default.contents(atPath: url.path), "cannot read \(url.path)")
    }

    /// Retries fast enough for tests but with the same shape as in production.
    static let fastRetries = RetryPolicy(
        maxAttempts: 4, initialDelay: .milliseconds(10), multiplier: 2, maxDelay: .milliseconds(80),
        maxRetryAfter: .seconds(2))

    static let shortTimeouts = Timeouts(connect: .seconds(5), total: .seconds(60), stall: .seconds(20))

    static func client(
        cache: URL, environment: [String: String] = [:], retry: RetryPolicy = fastRetries,
        timeouts: Timeouts = shortTimeouts
    ) -> FetchClient {
        FetchClient(cacheDirectory: cache, environment: environment, retryPolicy: retry, timeouts: timeouts)
    }

    /// Runs `body` with a fresh scratch directory, removed afterwards.
    static func withScratch<T>(_ body: (URL) async throws -> T) async throws -> T {
        let directory = try LocalServers.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await body(directory)
    }

    /// A unique path segment, so request counters on the fault server never mix tests.
    static func token() -> String {
        UUID().uuidString.prefix(8).lowercased()
    }

    /// Files in `directory` whose names start with a dot (temporary downloads).
    static func hiddenFiles(in directory: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasPrefix(".") }
    }

    /// Runs a fetch expected to fail and returns its error.
    static func fetchError(_ client: FetchClient, _ source: String) async -> FetchError? {
        do {
            let result = try await client.fetch(source, progress: nil)
            Issue.record("expected \(source) to fail, got \(result)")
            return nil
        } catch {
            return error
        }
    }
}

/// Records every progress snapshot.
final class RecordingProgress: ProgressReporter, @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [TransferProgress] = []
    private var finishedStorage: [Bool] = []

    var updates: [TransferProgress] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }

    var finished: [Bool] {
        lock.lock()
        defer { lock.unlock() }
        return finishedStorage
    }

    func update(_ progress: TransferProgress) {
        lock.lock()
        storage.append(progress)
        lock.unlock()
    }

    func finish(_ progress: TransferProgress?, succeeded: Bool) {
        lock.lock()
        finishedStorage.append(succeeded)
        lock.unlock()
    }
}
