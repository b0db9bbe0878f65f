import Foundation
import Lakehouse
import TestSupport
import Testing

/// ``BackgroundCheckpointer`` copies the WAL into the database file on its own connection,
/// while the writing connection stays open and goes on.
@Suite struct BackgroundCheckpointerTests {
    /// A database in WAL mode whose writes stay in the WAL (no automatic checkpoint), with
    /// `rows` rows of about 1 KB written.
    static func walOnlyDatabase(_ path: String, rows: Int) throws -> Database {
        let db = try Database(path: path)
        _ = try db.scalar("PRAGMA wal_autocheckpoint=0")
        try db.execute("CREATE TABLE t(x TEXT)")
        try db.transaction {
            for row in 0..<rows { try db.execute("INSERT INTO t VALUES (?)", [String(repeating: "\(row % 10)", count: 1000)]) }
        }
        return db
    }

    static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? -1
    }

    @Test func aRequestedPassCopiesTheWALIntoTheDatabaseFile() throws {
        let directory = try TemporaryDirectory("runme-checkpointer")
        let path = directory.file("test.db").path
        let db = try Self.walOnlyDatabase(path, rows: 2000)
        // Two megabytes of rows are in the WAL; the database file has the schema only.
        #expect(Self.size(path + "-wal") > 2_000_000)
        #expect(Self.size(path) < 100_000)

        let checkpointer = BackgroundCheckpointer(path: path)
        #expect(checkpointer.waitUntilIdle() == nil)  // nothing asked, nothing ran
        checkpointer.request()
        let seconds = try #require(checkpointer.waitUntilIdle())
        #expect(seconds >= 0)
        #expect(checkpointer.completedPasses == 1)
        #expect(Self.size(path) > 2_000_000)
        // The writing connection was never closed, and reads and writes on.
        try db.execute("INSERT INTO t VALUES ('after')")
        #expect(try db.scalar("SELECT count(*) FROM t")?.int64Value == 2001)
        checkpointer.stop()
    }

    @Test func finishInBackgroundRunsThePassAlreadyAskedFor() throws {
        let directory = try TemporaryDirectory("runme-checkpointer")
        let path = directory.file("test.db").path
        let db = try Self.walOnlyDatabase(path, rows: 1000)
        let checkpointer = BackgroundCheckpointer(path: path)
        checkpointer.request()
        checkpointer.finishInBackground()
        checkpointer.waitUntilIdle()
        #expect(checkpointer.completedPasses == 1)
        #expect(Self.size(path) > 1_000_000)
        // Once finished, requests are ignored.
        checkpointer.request()
        checkpointer.waitUntilIdle()
        #expect(checkpointer.completedPasses == 1)
        withExtendedLifetime(db) {}
    }
}
