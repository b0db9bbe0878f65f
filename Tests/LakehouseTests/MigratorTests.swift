import Foundation
import Lakehouse
import TestSupport
import Testing

private func withDatabasePath<T>(_ body: (String) throws -> T) throws -> T {
    let directory = try TemporaryDirectory("runme-lakehouse-tests")
    return try withExtendedLifetime(directory) { try body(directory.file("test.db").path) }
}

private let first = Migrator.Migration("one", sql: "CREATE TABLE a(x)")
private let second = Migrator.Migration("two", sql: "CREATE TABLE b(y); INSERT INTO b VALUES (1)")

@Suite("Migrator")
struct MigratorTests {
    @Test("applies missing migrations in order, once")
    func migrate() throws {
        try withDatabasePath { path in
            let db = try Database(path: path)
            #expect(try Migrator([first]).validate(db) == 0)
            try Migrator([first]).migrate(db)
            #expect(try db.userVersion() == 1)
            try Migrator([first, second]).migrate(db)
            try Migrator([first, second]).migrate(db)
            #expect(try db.userVersion() == 2)
            #expect(try db.scalar("SELECT COUNT(*) FROM b")?.int64Value == 1)
            let names = try db.query("SELECT name FROM schema_migrations ORDER BY version").compactMap { $0.string("name") }
            #expect(names == ["one", "two"])
            #expect(try Migrator([first, second]).validate(db) == 2)
        }
    }

    @Test("refuses a newer or foreign database without writing, also read-only")
    func refuses() throws {
        try withDatabasePath { path in
            do {
                let db = try Database(path: path)
                try Migrator([first, second]).migrate(db)
            }
            let readOnly = try Database(path: path, mode: .readOnly)
            #expect(throws: Migrator.MigrationError.self) { try Migrator([first]).validate(readOnly) }
            #expect(throws: Migrator.MigrationError.self) { try Migrator([first]).migrate(readOnly) }
            let foreign = Migrator([Migrator.Migration("other", sql: "SELECT 1"), second])
            let error = #expect(throws: Migrator.MigrationError.self) { try foreign.validate(readOnly) }
            guard case .foreignSchema? = error else {
                Issue.record("expected foreignSchema, got \(String(describing: error))")
                return
            }
            #expect(try readOnly.userVersion() == 2)
        }
    }
}

@Suite("Database")
struct DatabaseTests {
    @Test("transactions commit, roll back, and nest as savepoints")
    func transactions() throws {
        try withDatabasePath { path in
            let db = try Database(path: path)
            try db.execute("CREATE TABLE t(x)")
            struct Abort: Error {}
            try db.transaction { try db.execute("INSERT INTO t VALUES (?)", [1]) }
            #expect(throws: Abort.self) {
                try db.transaction {
                    try db.execute("INSERT INTO t VALUES (?)", [2])
                    throw Abort()
                }
            }
            try db.transaction {
                try db.execute("INSERT INTO t VALUES (?)", [3])
                _ = try? db.transaction(.immediate) { () throws -> Void in
                    try db.execute("INSERT INTO t VALUES (?)", [4])
                    throw Abort()
                }
            }
            #expect(try db.query("SELECT x FROM t ORDER BY x").compactMap { $0.int("x") } == [1, 3])
        }
    }

    @Test("text binding keeps empty strings, Unicode and embedded quotes")
    func textBinding() throws {
        let db = try Database(path: ":memory:")
        try db.execute("CREATE TABLE t(s TEXT)")
        for text in ["", "plain", "héllo wörld ✓", "it's \"quoted\"", String(repeating: "x", count: 10_000)] {
            let statement = try db.cachedStatement("INSERT INTO t VALUES (?)" as StaticString)
            try statement.bind(text: text, at: 1)
            try statement.run()
            #expect(try db.scalar("SELECT s FROM t WHERE rowid = last_insert_rowid()") == .text(text))
        }
        #expect(try db.scalar("SELECT COUNT(*) FROM t WHERE s IS NULL")?.int64Value == 0)
    }

    @Test("a StaticString statement is prepared once and reused")
    func staticCache() throws {
        let db = try Database(path: ":memory:")
        let sql: StaticString = "SELECT 1"
        #expect(try db.cachedStatement(sql) === db.cachedStatement(sql))
        #expect(try db.cachedStatement(sql) === db.cachedStatement("SELECT 1"))
    }

    @Test("the page size applies to a new database; a bad one is refused")
    func pageSize() throws {
        try withDatabasePath { path in
            let db = try Database(path: path, pageSize: 2048)
            try db.execute("CREATE TABLE t(x)")
            #expect(try db.scalar("PRAGMA page_size")?.int64Value == 2048)
            #expect(throws: SQLiteError.self) { try Database(path: path + "2", pageSize: 1000) }
        }
    }

    @Test("constraint errors are classified")
    func constraintKinds() throws {
        let db = try Database(path: ":memory:")
        try db.execute("CREATE TABLE p(id INTEGER PRIMARY KEY); CREATE TABLE c(p INTEGER REFERENCES p(id)); CREATE TABLE u(x UNIQUE)")
        let fk = #expect(throws: SQLiteError.self) { try db.execute("INSERT INTO c VALUES (?)", [5]) }
        #expect(fk?.isForeignKeyViolation == true)
        try db.execute("INSERT INTO u VALUES (?)", [1])
        let unique = #expect(throws: SQLiteError.self) { try db.execute("INSERT INTO u VALUES (?)", [1]) }
        #expect(unique?.isUniqueViolation == true)
        #expect(unique?.isForeignKeyViolation == false)
    }
}

@Suite struct LakehouseSchemaTests {
    @Test func createsTheTablesOnceAndRefusesANewerFileUntouched() throws {
        let directory = try TemporaryDirectory("lakehouse")
        let db = try LakehouseSchema.open(storeDirectory: directory.url)
        let tables = Set(try db.query("SELECT name FROM sqlite_master WHERE type = 'table'").compactMap { $0.string("name") })
        #expect(tables.isSuperset(of: ["bronze_dns", "bronze_dns_quarantine", "silver_dns", "silver_threat_feeds",
                                       "silver_twisted_domain_brand", "silver_dns_training_dataset", "loads"]))
        #expect(try db.scalar("PRAGMA page_size")?.int64Value == 65_536)
        // Opening again migrates nothing.
        _ = try LakehouseSchema.open(storeDirectory: directory.url)
        try db.execute("PRAGMA user_version = 99")
        let file = directory.file("lakehouse.db")
        let before = try Data(contentsOf: file)
        #expect(throws: Migrator.MigrationError.self) { _ = try LakehouseSchema.open(storeDirectory: directory.url) }
        #expect(try Data(contentsOf: file) == before)
    }

    @Test func aFileThatIsNotADatabaseIsRefused() throws {
        let directory = try TemporaryDirectory("lakehouse-junk")
        try Data(repeating: 0x5A, count: 8192).write(to: directory.file("lakehouse.db"))
        #expect(throws: SQLiteError.self) { _ = try LakehouseSchema.open(storeDirectory: directory.url) }
        #expect(try Data(contentsOf: directory.file("lakehouse.db")) == Data(repeating: 0x5A, count: 8192))
    }
}


@Suite struct AnalyticsDomainIndexTests {
    /// A store made before version 3 (its index on `domain_tldextract`, none on `domain`)
    /// keeps its rows when opened, has its index on `domain` instead, and the accelerator's
    /// lookups by name use it.
    @Test func aVersionTwoStoreGainsTheIndexAndLookupsByNameUseIt() throws {
        let directory = try TemporaryDirectory("lakehouse-v2")
        let path = directory.file("lakehouse.db").path
        do {
            let old = try Database(path: path, pageSize: 65_536)
            try Migrator(product: "runme", Array(LakehouseSchema.migrator.migrations.prefix(2))).migrate(old)
            for (domain, registered, line) in [("ns1.asdklgb.cf.", "asdklgb.cf", 1), ("google.com", "google.com", 2), ("ns1.asdklgb.cf.", "asdklgb.cf", 3)] {
                try old.execute("""
                    INSERT INTO dns_log_analytics (domain, domain_tldextract, class, score, timestamp, model_uri, source, source_line, update_id)
                    VALUES (?, ?, 'legit', 0.5, '2026-11-23 10:00:00.000', 'models:/dns_dga/1', 'f.json', ?, 1)
                    """, [domain, registered, line])
            }
            #expect(try old.userVersion() == 2)
        }
        let db = try LakehouseSchema.open(storeDirectory: directory.url)
        #expect(try db.userVersion() == LakehouseSchema.migrator.latestVersion)
        let indexes = try db.query("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'dns_log_analytics'").compactMap { $0.string("name") }
        #expect(Set(indexes) == ["dns_log_analytics_time", "dns_log_analytics_domain"])
        let lines = try db.query("SELECT source_line FROM dns_log_analytics WHERE domain = ? ORDER BY source_line", ["ns1.asdklgb.cf."]).compactMap { $0.int64("source_line") }
        #expect(lines == [1, 3])
        for lookup in ["SELECT * FROM dns_log_analytics WHERE domain = 'ns1.asdklgb.cf.'",
                       "SELECT domain, class FROM dns_log_analytics WHERE domain IN ('ns1.asdklgb.cf.', 'google.com', 'www.googlee.com')",
                       "SELECT count(DISTINCT domain) FROM dns_log_analytics"] {
            let plan = try db.query("EXPLAIN QUERY PLAN " + lookup).compactMap { $0.string("detail") }.joined(separator: "; ")
            #expect(plan.contains("INDEX dns_log_analytics_domain"), "\(lookup): \(plan)")
        }
    }
}
