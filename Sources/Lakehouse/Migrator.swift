import CSQLite

/// Named schema migrations, applied in order and recorded in `PRAGMA user_version`
/// (the number of migrations applied) and a `schema_migrations` table (their names).
///
/// A database whose version is higher than the migrations this build knows was written by
/// a newer runme: it is refused, untouched, with an error that says so.
public struct Migrator: Sendable {
    /// One migration: a name that never changes once released, and its SQL.
    public struct Migration: Sendable {
        public let name: String
        public let sql: String
        public init(_ name: String, sql: String) {
            self.name = name
            self.sql = sql
        }
    }

    /// What the migrator found wrong with a database.
    public enum MigrationError: Error, CustomStringConvertible, Sendable {
        /// The file was written by a newer version: its schema has more migrations than this build.
        case newerSchema(path: String, found: Int, known: Int, product: String)
        /// A recorded migration name differs from this build's: the file belongs to something else.
        case foreignSchema(path: String, index: Int, found: String, expected: String)

        public var description: String {
            switch self {
            case let .newerSchema(path, found, known, product):
                return "\(path) has schema version \(found), but this \(product) knows versions up to \(known): it was written by a newer version. It was not modified; use a newer \(product), or point --store at another directory."
            case let .foreignSchema(path, index, found, expected):
                return "\(path) is not a store of this kind: migration \(index + 1) is named '\(found)', expected '\(expected)'. It was not modified; point --store at another directory."
            }
        }
    }

    public let migrations: [Migration]
    /// The name used in errors (for example "runme").
    public let product: String

    public init(product: String = "runme", _ migrations: [Migration]) {
        self.product = product
        self.migrations = migrations
    }

    /// The schema version a fully migrated database has.
    public var latestVersion: Int { migrations.count }

    /// Applies the missing migrations, each in its own immediate transaction, so that two
    /// processes opening a new store at once do not both apply one.
    public func migrate(_ db: Database) throws {
        // Checked before taking a write lock so that a newer or foreign file is never modified.
        try check(db, version: try db.userVersion())
        while true {
            let done = try db.transaction(.immediate) { () throws -> Bool in
                let version = try db.userVersion()
                try check(db, version: version)
                if version >= migrations.count { return true }
                if version == 0 {
                    try db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at REAL NOT NULL)")
                }
                let migration = migrations[version]
                try db.execute(migration.sql)
                try db.execute("INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, julianday('now'))", [version + 1, migration.name])
                try db.execute("PRAGMA user_version = \(version + 1)")
                return false
            }
            if done { return }
        }
    }

    /// Checks, without writing anything, that this build can use the database: it is not
    /// newer than the known migrations and its recorded migration names match. Returns the
    /// schema version found (0 for a new, empty database).
    ///
    /// Works on a read-only connection, so a caller can vet a file before opening it for
    /// writing (opening for writing may switch the journal mode, which is a modification).
    @discardableResult
    public func validate(_ db: Database) throws -> Int {
        let version = try db.userVersion()
        try check(db, version: version)
        return version
    }

    private func check(_ db: Database, version: Int) throws {
        if version > migrations.count {
            throw MigrationError.newerSchema(path: db.path, found: version, known: migrations.count, product: product)
        }
        guard version > 0 else { return }
        let rows = try db.query("SELECT version, name FROM schema_migrations ORDER BY version")
        for row in rows {
            guard let index = row.int("version").map({ $0 - 1 }), index >= 0, index < migrations.count else { continue }
            let name = row.string("name") ?? ""
            if name != migrations[index].name {
                throw MigrationError.foreignSchema(path: db.path, index: index, found: name, expected: migrations[index].name)
            }
        }
    }
}
