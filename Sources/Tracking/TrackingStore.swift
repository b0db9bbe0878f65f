import Foundation
import Lakehouse

/// An experiment-tracking store in one directory: `tracking.db` (SQLite, WAL) and
/// `artifacts/<experiment_id>/<run_id>/artifacts/...`.
///
/// Durability: every public logging call is its own immediate transaction, committed with
/// WAL and `synchronous=NORMAL` before the call returns, so a logged value survives a crash
/// or kill of the process (a power loss may drop the last commits, never corrupt the file).
///
/// Concurrency: one instance serialises its calls with a lock, so it can be shared across
/// threads. Several instances or processes may use one directory at once: writers wait for
/// each other through SQLite's busy timeout (30 s) instead of failing.
///
/// Times are `Date` in the API and Unix seconds (`REAL`) in the database.
public final class TrackingStore: @unchecked Sendable {
    /// The store directory.
    public let directory: URL
    /// `directory/tracking.db`.
    public let databaseURL: URL
    /// `directory/artifacts`, under which each experiment has a directory.
    public let artifactRoot: URL
    /// True when opened with `openReadOnly(at:)`: every write throws `readOnlyStore`.
    public let isReadOnly: Bool
    /// The schema version of the database when it was opened (after migrating, for a
    /// writable store). A read-only store may be older than `TrackingSchema.migrator`.
    let schemaVersion: Int

    private let database: Database
    // Recursive so that code inside `write { }` may call other store methods, which lock
    // again and nest their transaction as a savepoint, instead of deadlocking.
    private let lock = NSRecursiveLock()
    private let checkpointer: BackgroundCheckpointer?
    // Guarded by `lock`.
    private var transactionDepth = 0
    private var commitsSinceCheckpoint = 0
    /// run_id → run_seq for runs seen in committed transactions. Sound because a run row is
    /// never deleted or renumbered (by any process); saves an index lookup per logging call.
    private var runSeqCache: [String: Int64] = [:]
    /// Lookups made inside the current transaction, cached only once it commits: a run
    /// created in a transaction that rolls back must not stay cached, as its run_seq would
    /// be given to the next run.
    private var pendingRunSeqs: [(runID: String, seq: Int64)] = []

    private init(directory: URL, database: Database, isReadOnly: Bool, schemaVersion: Int) {
        self.directory = directory
        self.databaseURL = directory.appendingPathComponent(Self.databaseFileName)
        self.artifactRoot = directory.appendingPathComponent(Self.artifactDirectoryName, isDirectory: true)
        self.database = database
        self.isReadOnly = isReadOnly
        self.schemaVersion = schemaVersion
        checkpointer = isReadOnly ? nil : BackgroundCheckpointer(path: database.path, name: "runme-tracking-checkpoint")
    }

    deinit {
        checkpointer?.stop()
    }

    static let databaseFileName = "tracking.db"
    static let artifactDirectoryName = "artifacts"

    // MARK: Opening

    /// Opens the store in `directory` for reading and writing, creating the directory,
    /// `tracking.db` and `artifacts/` when missing, and migrating an older schema.
    ///
    /// A database written by a newer runme, belonging to another program, or that is not a
    /// SQLite file is refused with `TrackingError.newerSchema`, `.foreignSchema` or
    /// `.notADatabase`, and is left byte-for-byte untouched.
    public static func open(at directory: URL) throws -> TrackingStore {
        let directory = directory.standardizedFileURL
        let fileManager = FileManager.default
        do {
            try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw TrackingError.storeUnusable(path: directory.path, reason: "cannot create the directory (\(error.localizedDescription))")
        }
        let databasePath = directory.appendingPathComponent(databaseFileName).path
        if fileManager.fileExists(atPath: databasePath) {
            // Vetted through a read-only connection first: opening for writing switches the
            // journal to WAL, which would already modify a file we are about to refuse.
            try mapOpenErrors(path: databasePath) {
                let probe = try Database(path: databasePath, mode: .readOnly)
                try TrackingSchema.migrator.validate(probe)
            }
        }
        let (database, version) = try mapOpenErrors(path: databasePath) { () throws -> (Database, Int) in
            let database = try Database(path: databasePath, mode: .readWriteCreate, pageSize: pageSize)
            try TrackingSchema.migrator.migrate(database)
            try configure(database, writable: true)
            return (database, try database.userVersion())
        }
        let store = TrackingStore(directory: directory, database: database, isReadOnly: false, schemaVersion: version)
        do {
            try fileManager.createDirectory(at: store.artifactRoot, withIntermediateDirectories: true)
        } catch {
            throw TrackingError.storeUnusable(path: store.artifactRoot.path, reason: "cannot create the artifact directory (\(error.localizedDescription))")
        }
        return store
    }

    /// Opens an existing store for reading only (listings, `resolve`), creating and
    /// modifying nothing: a missing directory or database is `TrackingError.storeNotFound`.
    ///
    /// SQLite itself may create the `tracking.db-wal` and `-shm` side files, as any reader of
    /// a WAL database does; the database file is not written.
    public static func openReadOnly(at directory: URL) throws -> TrackingStore {
        let directory = directory.standardizedFileURL
        let databasePath = directory.appendingPathComponent(databaseFileName).path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: databasePath, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw TrackingError.storeNotFound(directory: directory.path)
        }
        let (database, version) = try mapOpenErrors(path: databasePath) { () throws -> (Database, Int) in
            let database = try Database(path: databasePath, mode: .readOnly)
            let version = try TrackingSchema.migrator.validate(database)
            try configure(database, writable: false)
            return (database, version)
        }
        guard version >= 1 else {
            // An empty database: created, then never migrated (for example a crash at once).
            throw TrackingError.storeNeedsMigration(path: databasePath, found: version, needed: 1)
        }
        return TrackingStore(directory: directory, database: database, isReadOnly: true, schemaVersion: version)
    }

    /// Connection settings chosen for many small transactions (see `StoreBenchmark`).
    private static func configure(_ database: Database, writable: Bool) throws {
        try database.execute("PRAGMA temp_store=MEMORY")
        // 16 MiB instead of 2: with the default, pages of the growing tables fell out of the
        // cache between calls and were read back from the WAL (about 30% slower logging).
        try database.execute("PRAGMA cache_size=-16384")
        if writable {
            // Checkpoints normally run on the `BackgroundCheckpointer`; this inline one is the
            // backstop that bounds the WAL: while logging never pauses, frames appended during
            // a background pass keep the WAL from restarting, and the inline checkpoint (cheap
            // by then, most pages already copied) lets it restart. journal_size_limit truncates
            // the WAL file back after a checkpoint lets it restart.
            try database.execute("PRAGMA wal_autocheckpoint=\(walAutocheckpointPages)")
            try database.execute("PRAGMA journal_size_limit=\(64 << 20)")
        }
    }

    /// The backstop inline checkpoint (see `BackgroundCheckpointer`): 32 MiB of WAL.
    static let walAutocheckpointPages = 32768
    /// Commits between requests to the background checkpointer (0.5–1 MiB of WAL for
    /// single-value calls; a big batch is left to the backstop).
    static let commitsPerCheckpointRequest = 500
    /// Pages of 1 KiB rather than SQLite's 4 KiB: a logging call rewrites one or two whole
    /// pages into the WAL, and checksumming, copying and later fsyncing 4 KiB per page cost a
    /// third of each small transaction (`StoreBenchmark`: about 1,050 against 700 runs/s).
    static let pageSize = 1024

    /// Turns SQLite and migration failures met while opening into `TrackingError`s.
    private static func mapOpenErrors<T>(path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as SQLiteError where error.isCorrupt {
            throw TrackingError.notADatabase(path: path, detail: error.message)
        } catch let error as Migrator.MigrationError {
            switch error {
            case let .newerSchema(_, found, known, _):
                throw TrackingError.newerSchema(path: path, found: found, known: known)
            case let .foreignSchema(_, index, found, expected):
                throw TrackingError.foreignSchema(path: path, detail: "migration \(index + 1) is named '\(found)', expected '\(expected)'")
            }
        }
    }

    // MARK: Access for the rest of the module

    /// Runs `body` under the store lock in a deferred transaction, so that several queries
    /// see one consistent snapshot while other processes keep writing.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        return try inTransaction(.deferred, body)
    }

    /// Runs `body` under the store lock in an immediate transaction: committed when it
    /// returns, rolled back when it throws. Taking the write lock up front means a
    /// read-then-write never fails half-way because another process wrote in between.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        if isReadOnly { throw TrackingError.readOnlyStore(directory: directory.path) }
        lock.lock()
        defer { lock.unlock() }
        let result = try inTransaction(.immediate, body)
        if transactionDepth == 0 {
            commitsSinceCheckpoint += 1
            if commitsSinceCheckpoint >= Self.commitsPerCheckpointRequest {
                commitsSinceCheckpoint = 0
                checkpointer?.request()
            }
        }
        return result
    }

    /// A transaction (a savepoint when nested) that keeps the run_seq cache in step with
    /// what was committed. Called with the lock held.
    private func inTransaction<T>(_ kind: Database.TransactionKind, _ body: (Database) throws -> T) throws -> T {
        let pendingAtStart = pendingRunSeqs.count
        transactionDepth += 1
        do {
            let result = try database.transaction(kind) { try body(database) }
            transactionDepth -= 1
            if transactionDepth == 0 {
                if runSeqCache.count + pendingRunSeqs.count > Self.runSeqCacheLimit { runSeqCache.removeAll() }
                for entry in pendingRunSeqs { runSeqCache[entry.runID] = entry.seq }
                pendingRunSeqs.removeAll()
            }
            return result
        } catch {
            transactionDepth -= 1
            pendingRunSeqs.removeSubrange(pendingAtStart...)
            throw error
        }
    }

    private static let runSeqCacheLimit = 4096

    /// Records the run_seq of a run created in the current transaction, cached once it commits.
    func rememberRunSeq(_ runID: String, _ seq: Int64) {
        pendingRunSeqs.append((runID, seq))
    }

    /// The internal number of a run, which keys its logged values (`runNotFound`). Called
    /// inside `read` or `write`.
    @discardableResult
    func requireRun(_ db: Database, _ runID: String) throws -> Int64 {
        if let seq = runSeqCache[runID] { return seq }
        let statement = try db.cachedStatement("SELECT run_seq FROM runs WHERE run_id = ?" as StaticString)
        try statement.bind(text: runID, at: 1)
        defer { statement.reset() }
        guard try statement.step() else { throw TrackingError.runNotFound(runID: runID) }
        let seq = statement.int64(at: 0)
        pendingRunSeqs.append((runID, seq))
        return seq
    }
}

/// The current time as Unix seconds, the unit of every time column.
@inline(__always)
func unixNow() -> Double { Date().timeIntervalSince1970 }

extension Date {
    /// A date from a time column (Unix seconds).
    @inline(__always)
    init(unixSeconds: Double) { self.init(timeIntervalSince1970: unixSeconds) }
}
