import Foundation

/// A snapshot of a download in progress.
public struct TransferProgress: Sendable, Equatable {
    /// The source being fetched, as the caller wrote it.
    public var source: String
    /// Bytes in the local file so far, including any part kept from an earlier attempt.
    public var receivedBytes: Int64
    /// The full size, when the server announced it.
    public var expectedBytes: Int64?
    /// Time since the fetch began, all attempts included.
    public var elapsed: Duration
    /// Bytes received by the current attempt, which the rate is computed from.
    public var sessionBytes: Int64

    /// Creates a snapshot.
    public init(source: String, receivedBytes: Int64, expectedBytes: Int64?, elapsed: Duration, sessionBytes: Int64) {
        self.source = source
        self.receivedBytes = receivedBytes
        self.expectedBytes = expectedBytes
        self.elapsed = elapsed
        self.sessionBytes = sessionBytes
    }

    /// The average rate since the fetch began.
    public var bytesPerSecond: Double {
        let seconds = elapsed.seconds
        return seconds > 0 ? Double(sessionBytes) / seconds : 0
    }

    /// The expected time left, when the size is known and data is flowing.
    public var estimatedRemaining: Duration? {
        guard let expectedBytes, bytesPerSecond > 0 else { return nil }
        let left = Double(max(0, expectedBytes - receivedBytes)) / bytesPerSecond
        return .milliseconds(Int64(left * 1000))
    }
}

/// Receives progress of downloads. Called from the transfer's thread, often; implementations
/// must be cheap and thread-safe.
public protocol ProgressReporter: Sendable {
    /// The download moved forward.
    func update(_ progress: TransferProgress)
    /// The fetch ended, successfully or not.
    func finish(_ progress: TransferProgress?, succeeded: Bool)
}

/// Remembers the last snapshot so the final line of a progress bar shows the end state.
final class ProgressTracker: ProgressReporter, @unchecked Sendable {
    private let inner: any ProgressReporter
    private let lock = NSLock()
    private var lastValue: TransferProgress?

    init(inner: any ProgressReporter) {
        self.inner = inner
    }

    var last: TransferProgress? {
        lock.lock()
        defer { lock.unlock() }
        return lastValue
    }

    func update(_ progress: TransferProgress) {
        lock.lock()
        lastValue = progress
        lock.unlock()
        inner.update(progress)
    }

    func finish(_ progress: TransferProgress?, succeeded: Bool) {
        inner.finish(progress, succeeded: succeeded)
    }
}
