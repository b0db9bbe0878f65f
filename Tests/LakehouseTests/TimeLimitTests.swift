import Foundation
import Lakehouse
import TestSupport
import Testing

@Suite("Statement time limits")
struct TimeLimitTests {
    @Test("A statement past its time limit is stopped with SQLITE_INTERRUPT; the connection works afterwards, without a limit")
    func interrupts() throws {
        let directory = try TemporaryDirectory("runme-lakehouse-tests")
        let db = try Database(path: directory.file("t.db").path)
        let endless = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r"
        let error = try #require(throws: SQLiteError.self) {
            try db.withTimeLimit(.milliseconds(200)) { _ = try db.scalar(endless) }
        }
        #expect(error.isInterrupt)
        // Without the limit, a long but finite statement runs to its end.
        let count = try db.scalar("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 300000) SELECT count(*) FROM r")
        #expect(count?.int64Value == 300_000)
        // Within its limit, a statement is untouched.
        #expect(try db.withTimeLimit(.seconds(30)) { try db.scalar("SELECT 41 + 1")?.int64Value } == 42)
    }
}
