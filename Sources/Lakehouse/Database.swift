import CSQLite
import Foundation

/// One connection to a SQLite database file.
///
/// A connection is used by one thread at a time; owners that share it across threads
/// (the tracking store, the pipelines) serialise access with their own lock. Writers open
/// the file in WAL mode with a busy timeout so that several processes can log into one
/// store: readers never block the writer, and a writer waits for another one instead of
/// failing at once.
public final class Database: @unchecked Sendable {
    /// How to open the file.
    public enum Mode: Sendable {
        /// Read and write; create the file when missing.
        case readWriteCreate
        /// Read and write an existing file.
        case readWrite
        /// Read only: statements that write fail with `SQLITE_READONLY`.
        case readOnly
    }

    /// The durability of a committed write, chosen per connection.
    public enum Durability: Sendable {
        /// WAL with `synchronous=NORMAL`: a commit is in the WAL file (the OS holds it) before
        /// the call returns, so it survives a crash or kill of the process; a power loss may
        /// lose the last commits but never corrupts the database.
        case processCrashSafe
        /// WAL with `synchronous=FULL`: every commit is fsynced, surviving power loss too.
        case powerLossSafe
    }

    /// The database file path (`:memory:` for an in-memory database).
    public let path: String
    public let mode: Mode
    let handle: OpaquePointer
    private var statementCache: [String: Statement] = [:]
    private var staticStatementCache: [UnsafeRawPointer: Statement] = [:]

    /// Opens (or creates) a database.
    ///
    /// - Parameters:
    ///   - path: the file; its directory must exist.
    ///   - mode: read-write, read-write-create or read-only.
    ///   - busyTimeout: how long a statement waits for another connection's lock.
    ///   - durability: for writers, the WAL `synchronous` setting.
    ///   - pageSize: the page size (a power of two from 512 to 65536) for a database this
    ///     call creates; ignored for an existing one, whose page size is fixed in WAL mode.
    ///     Nil keeps SQLite's default (4096).
    public init(
        path: String,
        mode: Mode = .readWriteCreate,
        busyTimeout: Duration = .seconds(30),
        durability: Durability = .processCrashSafe,
        pageSize: Int? = nil
    ) throws {
        self.path = path
        self.mode = mode
        var flags: Int32 = SQLITE_OPEN_NOMUTEX
        switch mode {
        case .readWriteCreate: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        case .readWrite: flags |= SQLITE_OPEN_READWRITE
        case .readOnly: flags |= SQLITE_OPEN_READONLY
        }
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: rc, message: message, path: path)
        }
        self.handle = db
        sqlite3_extended_result_codes(db, 1)
        let millis = Int32(clamping: busyTimeout.components.seconds * 1000 + busyTimeout.components.attoseconds / 1_000_000_000_000_000)
        sqlite3_busy_timeout(db, millis)
        do {
            // Reading the schema here makes a file that is not a database fail now, with a
            // clear error, rather than at the first real statement.
            _ = try scalar("PRAGMA schema_version")
            if mode != .readOnly && path != ":memory:" {
                if let pageSize {
                    // Must precede the switch to WAL, which writes the first page of a new file.
                    guard pageSize >= 512, pageSize <= 65536, pageSize & (pageSize - 1) == 0 else {
                        throw SQLiteError(code: SQLITE_MISUSE, message: "page size \(pageSize) is not a power of two from 512 to 65536", path: path)
                    }
                    try execute("PRAGMA page_size=\(pageSize)")
                }
                try switchToWAL(within: busyTimeout)
                try execute(durability == .powerLossSafe ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL")
            }
            try execute("PRAGMA foreign_keys=ON")
        } catch {
            statementCache.removeAll()
            sqlite3_close_v2(db)
            throw error
        }
    }

    /// Puts the file in WAL mode. Two processes creating one store at once both try to switch
    /// it; SQLite answers the loser SQLITE_BUSY at once, without its busy handler, so this
    /// waits and looks again until the other has switched it or the busy timeout has passed.
    private func switchToWAL(within timeout: Duration) throws {
        let deadline = ContinuousClock.now + timeout
        var pause = Duration.milliseconds(5)
        while true {
            do {
                if try scalar("PRAGMA journal_mode")?.stringValue?.lowercased() == "wal" { return }
                let journal = try scalar("PRAGMA journal_mode=WAL")?.stringValue
                if journal?.lowercased() == "wal" { return }
                throw SQLiteError(code: SQLITE_ERROR, message: "could not switch the journal to WAL mode (got \(journal ?? "nothing"))", path: path)
            } catch let error as SQLiteError where error.isBusy && ContinuousClock.now < deadline {
                Thread.sleep(forTimeInterval: pause / .seconds(1))
                pause = min(pause * 2, .milliseconds(200))
            }
        }
    }

    deinit {
        staticStatementCache.removeAll()
        statementCache.removeAll()
        sqlite3_close_v2(handle)
    }

    // MARK: Running SQL

    /// Runs one or more statements that return no rows of interest.
    public func execute(_ sql: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if rc != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? lastErrorMessage
            sqlite3_free(errorMessage)
            throw SQLiteError(code: rc & 0xff, extendedCode: rc, message: message, sql: sql, path: path)
        }
    }

    /// Runs one statement with arguments, discarding its rows.
    public func execute(_ sql: String, _ arguments: [any SQLiteBindable]) throws {
        let statement = try cachedStatement(sql)
        try statement.bind(arguments)
        try statement.run()
    }

    /// Prepares a statement that the caller owns.
    public func prepare(_ sql: String) throws -> Statement {
        try Statement(database: self, sql: sql)
    }

    /// A prepared statement kept for reuse on this connection, reset and cleared.
    public func cachedStatement(_ sql: String) throws -> Statement {
        if let statement = statementCache[sql] {
            statement.reset()
            return statement
        }
        let statement = try prepare(sql)
        statementCache[sql] = statement
        return statement
    }

    /// A prepared statement kept for reuse, found by the address of its literal SQL.
    ///
    /// For hot paths: hashing an 8-byte address instead of the SQL text was a measurable
    /// share of a one-row transaction. Pass a `StaticString` value (a `static let` of that
    /// type); a bare literal resolves to the `String` overload.
    public func cachedStatement(_ sql: StaticString) throws -> Statement {
        guard sql.hasPointerRepresentation else {
            return try cachedStatement(sql.description)
        }
        let key = UnsafeRawPointer(sql.utf8Start)
        if let statement = staticStatementCache[key] {
            statement.reset()
            return statement
        }
        let statement = try cachedStatement(sql.description)
        staticStatementCache[key] = statement
        return statement
    }

    /// Every row of a query, as column-name-keyed rows.
    public func query(_ sql: String, _ arguments: [any SQLiteBindable] = []) throws -> [Row] {
        let statement = try cachedStatement(sql)
        try statement.bind(arguments)
        var rows: [Row] = []
        while try statement.step() {
            rows.append(statement.row())
        }
        statement.reset()
        return rows
    }

    /// The first column of the first row, or nil when there is no row.
    public func scalar(_ sql: String, _ arguments: [any SQLiteBindable] = []) throws -> SQLiteValue? {
        let statement = try cachedStatement(sql)
        try statement.bind(arguments)
        defer { statement.reset() }
        guard try statement.step() else { return nil }
        return statement.value(at: 0)
    }

    /// The rowid of the last inserted row on this connection.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Rows changed by the last statement.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// `PRAGMA user_version`, which migrations use as the schema version.
    public func userVersion() throws -> Int {
        Int(try scalar("PRAGMA user_version")?.int64Value ?? 0)
    }

    // MARK: Transactions

    /// How a transaction takes its lock.
    public enum TransactionKind: String, Sendable {
        /// Takes the lock at the first read or write.
        case deferred = "DEFERRED"
        /// Takes the write lock at once, so that a read-then-write cannot fail half-way
        /// with SQLITE_BUSY when another process writes.
        case immediate = "IMMEDIATE"
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    public func transaction<T>(_ kind: TransactionKind = .immediate, _ body: () throws -> T) throws -> T {
        if sqlite3_get_autocommit(handle) == 0 {
            // Already in a transaction: nest with a savepoint.
            try execute("SAVEPOINT nested")
            do {
                let result = try body()
                try execute("RELEASE nested")
                return result
            } catch {
                try? execute("ROLLBACK TO nested")
                try? execute("RELEASE nested")
                throw error
            }
        }
        // Cached statements: loggers open one transaction per call, and compiling BEGIN and
        // COMMIT each time through sqlite3_exec was a measurable share of a small write.
        try cachedStatement(kind == .immediate ? Self.beginImmediate : Self.beginDeferred).run()
        do {
            let result = try body()
            try cachedStatement(Self.commit).run()
            return result
        } catch {
            if sqlite3_get_autocommit(handle) == 0 {
                try? cachedStatement(Self.rollback).run()
            }
            throw error
        }
    }

    private static let beginImmediate: StaticString = "BEGIN IMMEDIATE"
    private static let beginDeferred: StaticString = "BEGIN DEFERRED"
    private static let commit: StaticString = "COMMIT"
    private static let rollback: StaticString = "ROLLBACK"

    var lastErrorMessage: String { String(cString: sqlite3_errmsg(handle)) }

    func error(code: Int32, sql: String?) -> SQLiteError {
        SQLiteError(code: code & 0xff, extendedCode: sqlite3_extended_errcode(handle), message: lastErrorMessage, sql: sql, path: path)
    }
}
