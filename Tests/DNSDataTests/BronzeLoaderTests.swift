import DNSData
import Foundation
import Lakehouse
import TestSupport
import Testing

@Suite struct BronzeLoaderTests {
    private func manyLines(_ n: Int, in dir: TemporaryDirectory) throws -> URL {
        let text = (1...n).map(ReaderFixtures.cofLine).joined(separator: "\n") + "\n"
        return try ReaderFixtures.write(text, named: "many.json", in: dir)
    }

    private func tableCounts(_ db: Database) throws -> [Int64] {
        try ["bronze_dns", "bronze_dns_quarantine", "loads"].map { try db.scalar("SELECT count(*) FROM \($0)")?.int64Value ?? -1 }
    }

    @Test func cancellationRollsTheWholeLoadBack() async throws {
        let dir = try TemporaryDirectory("loader")
        let url = try manyLines(25_000, in: dir)
        let db = try ReaderFixtures.lakehouse(in: dir)
        var options = BronzeLoader.Options()
        options.checkInterval = 10_000
        let loader = BronzeLoader(database: db, options: options)
        let task = Task { () throws -> (summary: BronzeLoadSummary, rowsSeen: Int64) in
            var rowsSeen: Int64 = 0
            let summary = try loader.load(fileAt: url) { progress in
                // Inside the transaction the rows are there; cancel once some are.
                rowsSeen = (try? db.scalar("SELECT count(*) FROM bronze_dns")?.int64Value) ?? -1
                if progress.linesRead >= 10_000 { withUnsafeCurrentTask { $0?.cancel() } }
            }
            return (summary, rowsSeen)
        }
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        #expect(try tableCounts(db) == [0, 0, 0])
        // The connection is usable afterwards and its settings are back.
        #expect(try db.scalar("PRAGMA wal_autocheckpoint")?.int64Value == 1000)
        let summary = try loader.load(fileAt: url)
        #expect(summary.rowsLoaded == 25_000)
        #expect(try tableCounts(db) == [25_000, 0, 1])
    }

    @Test func rowsArePresentBeforeTheCancellationCheck() async throws {
        // The progress callback runs inside the transaction: it sees the rows that the
        // rollback then removes, so the test above checks a real rollback.
        let dir = try TemporaryDirectory("loader")
        let url = try manyLines(12_000, in: dir)
        let db = try ReaderFixtures.lakehouse(in: dir)
        var seen: [Int64] = []
        _ = try BronzeLoader(database: db).load(fileAt: url) { _ in
            seen.append((try? db.scalar("SELECT count(*) FROM bronze_dns")?.int64Value) ?? -1)
        }
        #expect(seen.count == 1)
        #expect((seen.first ?? 0) > 9_000)
    }

    @Test func eachFileIsItsOwnLoad() throws {
        let dir = try TemporaryDirectory("loader")
        let db = try ReaderFixtures.lakehouse(in: dir)
        let loader = BronzeLoader(database: db)
        let first = try loader.load(fileAt: ReaderFixtures.dnsTest1, jobRunID: 42)
        let second = try loader.load(fileAt: ReaderFixtures.dnsEvents)
        #expect(first.loadID != second.loadID)
        #expect(try db.scalar("SELECT count(*) FROM bronze_dns WHERE load_id = ?", [first.loadID])?.int64Value == 3)
        #expect(try db.scalar("SELECT count(*) FROM bronze_dns WHERE load_id = ?", [second.loadID])?.int64Value == 1000)
        #expect(try db.scalar("SELECT job_run_id FROM loads WHERE load_id = ?", [first.loadID])?.int64Value == 42)
        #expect(try db.scalar("SELECT source FROM loads WHERE load_id = ?", [second.loadID])?.stringValue == ReaderFixtures.dnsEvents.path)
        // Batches of 128 and the single-row tail: every line once, in order.
        let lines = try db.query("SELECT source_line FROM bronze_dns WHERE load_id = ? ORDER BY rowid", [second.loadID]).map { $0.int("source_line") ?? 0 }
        #expect(lines == Array(1...1000))
    }

    @Test func aFailedLoadLeavesNothing() throws {
        let dir = try TemporaryDirectory("loader")
        let db = try ReaderFixtures.lakehouse(in: dir)
        let gz = try ReaderFixtures.write(Data([0x1F, 0x8B, 0x08, 0x00]), named: "x.json.gz", in: dir)
        #expect(throws: DNSLogError.self) { try BronzeLoader(database: db).load(fileAt: gz) }
        #expect(throws: DNSLogError.self) { try BronzeLoader(database: db).load(fileAt: dir.file("absent.json")) }
        #expect(try tableCounts(db) == [0, 0, 0])
    }

    @Test func anEmptyFileIsALoadOfNothing() throws {
        let dir = try TemporaryDirectory("loader")
        let db = try ReaderFixtures.lakehouse(in: dir)
        let url = try ReaderFixtures.write("", named: "empty.json", in: dir)
        let summary = try BronzeLoader(database: db).load(fileAt: url)
        #expect((summary.rowsRead, summary.rowsLoaded, summary.linesRead, summary.bytes) == (0, 0, 0, 0))
        #expect(try tableCounts(db) == [0, 0, 1])
    }
}
