import DNSData
import Foundation
import Lakehouse
@testable import Pipeline
import TestSupport
import Testing

/// The writer inserts each batch in the order of its names (the random-key index's
/// order) and formats the explanations' numbers without Foundation: neither may change
/// what the tables hold.
@Suite(.serialized) struct WriteOrderTests {
    func row(_ name: String, line: Int) -> AnalyticsRow {
        AnalyticsRow(domain: name, domainTldextract: "", label: "", source: "f", sourceLine: line)
    }

    @Test func aBatchIsInsertedByItsNamesFirstBytesThenByPosition() {
        let rows = [row("b.com", line: 1), row("a.com", line: 2), row("abcdefghz.com", line: 3), row("", line: 4),
                    row("abcdefgha.com", line: 5), row("a.com", line: 6), row("a", line: 7), row("é.fr", line: 8)]
        let order = ScoringWriters.insertionOrder(rows)
        // "a" < "a.com" (a shorter key first, as SQLite's BINARY collation); the two keys
        // alike in their first 8 bytes keep their positions; UTF-8 bytes sort after ASCII.
        #expect(order.map { rows[$0].sourceLine } == [4, 7, 2, 6, 3, 5, 1, 8])
        #expect(ScoringWriters.insertionOrder([]).isEmpty)
        // Batches up to 65,536 rows sort one packed integer per row, larger ones key and
        // position side by side: both give the rows in key order.
        for count in [60_000, 70_000] {
            let batch = (0..<count).map { row(String(100_000 + ($0 * 7_919) % count), line: $0) }
            let order = ScoringWriters.insertionOrder(batch)
            #expect(order.map { batch[$0].domain } == batch.map(\.domain).sorted(), "\(count) rows")
            #expect(Set(order).count == count)
        }
    }

    @Test func theRadixSortOfPackedKeysIsTheSortOfTheKeys() {
        // Prefixes drawn from a few values (equal prefixes keep their positions' order), from
        // every bit of the 48 (each 12-bit digit varies), and all alike (every pass skipped).
        var state: UInt64 = 7
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 16
        }
        let few: [UInt64] = [0, 1 << 47, 0xABCDEF, 0xABCDEF << 12, 1]
        for make in [{ few[Int(next() % 5)] }, { next() }, { 0xFFFF_FFFF_FFFF }] as [() -> UInt64] {
            for count in [0, 1, 2, 100, 32_768, 65_536] {
                let keys = (0..<count).map { make() << 16 | UInt64($0) }
                #expect(ScoringWriters.sortedByPrefix(keys) == keys.sorted(), "\(count) keys")
            }
        }
    }

    @Test func numbersAreFormattedAsPercentSixG() {
        var values: [Double] = [0, -0.0, 1, -1, 0.5, 0.1, 1e-5, 1.5e-5, 0.0001, 123_456, 123_456.5, 1_234_567, 999_999.5, 1e21,
                                -3.25e-7, .leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude, 2.675, 0.000123456789]
        var state: UInt64 = 42
        for _ in 0..<2_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let bits = state >> 11
            let magnitude = Double(Int(state % 40) - 20)
            values.append((Double(bits) / Double(1 << 53) - 0.5) * pow(10, magnitude))
        }
        for value in values {
            #expect(JSONNumber.text(value) == String(format: "%.6g", value), "\(value)")
        }
        // Appended one after another into one buffer, non-finite ones as null among them.
        let mixed = Array(values.prefix(40)) + [.nan, 1.25, -.infinity, 3e-9]
        var bytes: [UInt8] = []
        for value in mixed { JSONNumber.append(value, to: &bytes) }
        #expect(String(decoding: bytes, as: UTF8.self) == mixed.map { $0.isFinite ? String(format: "%.6g", $0) : "null" }.joined())
        #expect(JSONNumber.text(.nan) == "null")
        #expect(JSONNumber.text(.infinity) == "null")
    }

    /// The arithmetic path of `%.6g` against Foundation's on the values it could get wrong:
    /// rounding ties and near-ties at each scale, the digit-count boundaries (9.999995 rounds
    /// up to 10), the switch to exponent notation at 1e-4 and 1e6, and the contributions'
    /// kind of values (floats widened to doubles).
    @Test func sixSignificantDigitsMatchTheCLibraryOnTiesAndBoundaries() {
        var values: [Double] = []
        for power in -26...26 {
            let scale = pow(10, Double(power))
            for mantissa in [1.0, 1.000005, 1.0000049999, 1.0000050001, 1.234565, 1.2345650000001, 9.999995, 9.9999949, 9.99999500001,
                             9.999999, 5.0, 2.675, 3.14159265, 9.0, 9.5, 9.99999, 1.000015] {
                values.append(mantissa * scale)
                values.append(-mantissa * scale)
                values.append((mantissa * scale).nextUp)
                values.append((mantissa * scale).nextDown)
            }
        }
        values += [0.0001, 0.00009999995, 0.000099999949, 999_999, 999_999.4, 999_999.5, 999_999.6, 1e6, 100_000.5, 0.5, 1.5, 2.5,
                   Double.leastNormalMagnitude / 3, -Double.leastNonzeroMagnitude, 1e300, -1.7e308, 123_456_789_012, 0.30000000000000004]
        var state: UInt64 = 7
        for _ in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            // Floats of every exponent the explanations see, and six-digit ties scaled.
            let float = Float(bitPattern: UInt32(truncatingIfNeeded: state >> 32))
            if float.isFinite { values.append(Double(float)) }
            values.append((Double(state % 900_000 + 100_000) + 0.5) * pow(10, Double(Int(state >> 40 % 30) - 20)))
        }
        for value in values {
            #expect(JSONNumber.text(value) == String(format: "%.6g", value), "\(value)")
        }
    }

    @Test func everyLineKeepsItsContentAndTheLatestDetectionWins() async throws {
        let directory = try TemporaryDirectory("pipeline-order")
        let input = directory.file("input")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        // The sample's records, then a junk line, then its AgentTesla line again with a later
        // time: the latest detection per name must be that last line's, whatever order the
        // batch's rows go into dns_log_analytics in.
        var lines = try String(contentsOf: TestPaths.sharedData.appendingPathComponent("dns_events.json"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        lines += try String(contentsOf: TestPaths.sharedData.appendingPathComponent("latest/dns_test_1.json"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        lines.append("not a record")
        lines.append(#"{"rrname":"ns1.asdklgb.cf.","rrtype":"A","rdata":["162.241.29.141"],"time_first":1566230345,"time_last":1700000000}"#)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: input.appendingPathComponent("log.json"))
        // The threat feed makes the name a detection whatever the test model scores it.
        try LakehouseSchema.open(storeDirectory: directory.file("store")).execute("""
            INSERT INTO silver_threat_feeds (url, host, domain, registered_domain, threat, tags, load_id)
            VALUES ('http://ns1.asdklgb.cf/x', 'ns1.asdklgb.cf', 'asdklgb.cf', 'asdklgb.cf', 'malware_download', 'AgentTesla', 1)
            """)
        let (pipeline, db) = try await PipelineFixture.pipeline(input: input, store: directory.file("store")) { $0.batchSize = 97 }
        let summary = try await pipeline.runUpdate(try await pipeline.plan())

        var expected: [Int: String] = [:]
        let contents = try DNSLogReader(fileAt: input.appendingPathComponent("log.json")).readAll()
        for (record, line) in zip(contents.records, contents.recordLines) { expected[line] = record.rrname }
        let stored = try db.query("SELECT source_line, domain FROM dns_log_analytics ORDER BY source_line")
        let quarantined = Set(try db.query("SELECT source_line FROM dns_log_analytics_quarantine").compactMap { $0.int("source_line") })
        #expect(stored.count == summary.rowsWritten)
        #expect(stored.count + quarantined.count == lines.count)
        for row in stored {
            let line = row.int("source_line") ?? 0
            #expect(row.string("domain") == expected[line], "line \(line)")
        }
        #expect(try PipelineFixture.count(db, "SELECT count(*) FROM dns_log_analytics WHERE domain = 'ns1.asdklgb.cf.'") == 2)
        #expect(try db.scalar("SELECT event_time FROM dns_ioc_latest WHERE domain = 'ns1.asdklgb.cf.'")?.stringValue
            == SQLTime.text(unixSeconds: 1_700_000_000))
        #expect(try db.scalar("SELECT threat FROM dns_ioc_latest WHERE domain = 'ns1.asdklgb.cf.'")?.stringValue == "malware_download")
        // Batches of 97 rows are three 32-row statements and one single-row statement, whose
        // shared values (timestamp, model URI, update) are bound once per statement: every
        // row holds them, and its own source; the threat feed's match reaches both lines.
        let shared = try db.query("""
            SELECT count(*) AS n, count(DISTINCT timestamp) AS stamps, min(update_id) AS low, max(update_id) AS high,
                   sum(model_uri = ?) AS uris, sum(source = ?) AS sources, sum(timestamp IS NULL OR timestamp = '') AS blank
            FROM dns_log_analytics
            """, [pipeline.model.uri, input.appendingPathComponent("log.json").path])
        #expect(shared.first?.int("n") == summary.rowsWritten)
        #expect(shared.first?.int("uris") == summary.rowsWritten)
        #expect(shared.first?.int("sources") == summary.rowsWritten)
        #expect(shared.first?.int("blank") == 0)
        #expect((shared.first?.int("stamps") ?? 0) >= 1)
        #expect(shared.first?.int("low") == Int(summary.updateID) && shared.first?.int("high") == Int(summary.updateID))
        #expect(try PipelineFixture.count(db, """
            SELECT count(*) FROM dns_log_analytics
            WHERE domain = 'ns1.asdklgb.cf.' AND threat = 'malware_download' AND tags = 'AgentTesla' AND domain_tldextract = 'asdklgb.cf'
            """) == 2)
    }
}
