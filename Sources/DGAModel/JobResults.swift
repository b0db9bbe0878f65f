import Foundation

/// One result slot per job, for work spread over threads (`concurrentPerform`, a dispatch
/// group): each job stores its value or its error, and the caller reads them in job order once
/// every job has run, so a failure surfaces as the job's own error instead of being lost.
public final class JobResults<Value: Sendable>: @unchecked Sendable {
    // Unchecked: every access to `slots` holds `lock`.
    private let lock = NSLock()
    private var slots: [Result<Value, any Error>?]

    /// Slots for `count` jobs, numbered from 0.
    public init(count: Int) { slots = Array(repeating: nil, count: count) }

    /// Runs `body` and stores its value or error as job `job`'s.
    public func run(_ job: Int, _ body: () throws -> Value) {
        let result = Result(catching: body)
        lock.lock()
        defer { lock.unlock() }
        slots[job] = result
    }

    /// Job `job`'s value; its error if it failed.
    /// - Throws: the job's error, or `JobResultsError.notRun` when it never stored a result.
    public func value(_ job: Int) throws -> Value {
        lock.lock()
        defer { lock.unlock() }
        guard let result = slots[job] else { throw JobResultsError.notRun(job: job, of: slots.count) }
        return try result.get()
    }

    /// Every job's value in job order; the first failed job's error.
    public func values() throws -> [Value] {
        try (0..<slots.count).map(value)
    }
}

/// A job whose result was read before it ran: a programming error in the caller's scheduling.
public enum JobResultsError: Error, CustomStringConvertible, Equatable {
    case notRun(job: Int, of: Int)

    public var description: String {
        switch self {
        case let .notRun(job, count): return "job \(job + 1) of \(count) stored no result (it did not run)"
        }
    }
}
