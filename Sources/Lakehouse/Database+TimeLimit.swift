import CSQLite
import Foundation

/// The deadline a progress handler checks; owned by `withTimeLimit` for the duration of the body.
private final class QueryDeadline {
    let deadline: ContinuousClock.Instant
    init(_ deadline: ContinuousClock.Instant) { self.deadline = deadline }
}

extension Database {
    /// Runs `body` with a time limit on every statement it steps: past `limit`, SQLite stops
    /// the running statement and it fails with `SQLITE_INTERRUPT` (see `SQLiteError.isInterrupt`).
    ///
    /// Uses `sqlite3_progress_handler`, which SQLite calls on this connection's own thread every
    /// few thousand virtual-machine instructions, so a runaway query (an accidental cross join on
    /// a large table) is stopped without a second thread. Not reentrant: one limit at a time.
    public func withTimeLimit<T>(_ limit: Duration, _ body: () throws -> T) throws -> T {
        let box = QueryDeadline(ContinuousClock.now + limit)
        let context = Unmanaged.passRetained(box)
        sqlite3_progress_handler(handle, 4_000, { pointer in
            guard let pointer else { return 0 }
            let box = Unmanaged<QueryDeadline>.fromOpaque(pointer).takeUnretainedValue()
            return ContinuousClock.now >= box.deadline ? 1 : 0
        }, context.toOpaque())
        defer {
            sqlite3_progress_handler(handle, 0, nil, nil)
            context.release()
        }
        return try body()
    }
}

extension SQLiteError {
    /// True when the statement was stopped by `Database.withTimeLimit` (or `sqlite3_interrupt`).
    public var isInterrupt: Bool { code == SQLITE_INTERRUPT }
    /// True when the statement tried to write to a read-only connection.
    public var isReadOnlyViolation: Bool { code == SQLITE_READONLY }
}
