import DNSData
import Foundation
import Lakehouse
import TestSupport
import Testing

@Suite struct BadInputTests {
    /// A COF file with one of every kind of bad line between good ones; the last line is cut off.
    static func badFile(in dir: TemporaryDirectory) throws -> URL {
        var data = Data()
        func line(_ text: String) { data.append(Data(text.utf8)); data.append(0x0A) }
        line(ReaderFixtures.cofLine(1))                                                     // 1 good
        data.append(Data(#"{"rrname":"bad"#.utf8)); data.append(contentsOf: [0xFF, 0xFE])  // 2 invalid UTF-8
        data.append(Data(#".example.","rrtype":"A","rdata":[],"time_first":1,"time_last":1}"#.utf8)); data.append(0x0A)
        data.append(contentsOf: [0x00, 0x01, 0x02, 0x7B, 0x00, 0x9C, 0x0D]); data.append(0x0A)  // 3 NUL and binary junk
        line(#"{"rrname":"norr.example.","rrtype":"A","time_first":1,"time_last":2}"#)      // 4 missing rdata
        line(#"{"rrname":"t.example.","rrtype":"A","rdata":[],"time_first":"1597928451","time_last":2}"#)  // 5 time as a string
        line(#"{"rrname":"t.example.","rrtype":"A","rdata":[1,2],"time_first":1,"time_last":2}"#)          // 6 rdata of numbers
        line(#"{"rrname":null,"rrtype":"A","rdata":[],"time_first":1,"time_last":2}"#)                     // 7 null rrname
        line("")                                                                            // 8 blank
        line(#"{"rrname":"big.example.","rrtype":"A","rdata":"x","time_first":1,"time_last":2,"sensor":""# + String(repeating: "a", count: 10 << 20) + #""}"#)  // 9 a 10 MB line
        line(ReaderFixtures.cofLine(10))                                                    // 10 good
        line(#"{"x":"# + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000) + #","rrname":"deep."}"#)  // 11 deep nesting
        line(#"{"rrname":"neg.example.","rrtype":"A","rdata":[],"time_first":1,"time_last":2,"count":-4}"#)  // 12 negative count
        line(#"{"rrname":"a.example.","rrtype":"A","rdata":[],"time_first":1,"time_last":2} trailing"#)      // 13 trailing junk
        line(#"{"rrname":"x\u0000y.example.","rrtype":"A","rdata":[],"time_first":1,"time_last":2}"#)       // 14 escaped NUL
        line(#"{"rrname":"s.example.","rrtype":"A","rdata":["\ud800"],"time_first":1,"time_last":2}"#)      // 15 lone surrogate
        line(#"{"rrname":"f.example.","rrtype":"A","rdata":[],"time_first":1e400,"time_last":2}"#)          // 16 time out of range
        line("   ")                                                                         // 17 blank
        data.append(Data(#"{"rrname":"cut.example.","rrtype":"A","rda"#.utf8))             // 18 cut off, no line end
        return try ReaderFixtures.write(data, named: "bad.json", in: dir)
    }

    static let expectedReasons: [(line: Int, reason: String)] = [
        (2, "invalid UTF-8 at byte 15"),
        (3, "NUL byte at byte 1"),
        (4, "missing mandatory field: rdata"),
        (5, "time_first must be a number"),
        (6, "rdata elements must be strings, found a number"),
        (7, "rrname must be a string, found null"),
        (9, "over the 1048576-byte limit"),
        (11, "nested deeper than 64 levels"),
        (12, "count -4 is negative"),
        (13, "after the JSON object"),
        (14, "\\u0000 (NUL)"),
        (15, "lone high surrogate"),
        (16, "time_first 1e400 is out of range"),
        (18, "the last line is cut off"),
    ]

    @Test func everyBadLineIsQuarantinedWithItsLineAndReason() throws {
        let dir = try TemporaryDirectory("bad")
        let url = try Self.badFile(in: dir)
        let contents = try DNSLogReader(fileAt: url).readAll()
        #expect(contents.recordLines == [1, 10])
        #expect(contents.quarantined.map(\.line) == Self.expectedReasons.map(\.line))
        for (got, want) in zip(contents.quarantined, Self.expectedReasons) {
            #expect(got.reason.contains(want.reason), "line \(want.line): \(got.reason)")
            #expect(got.raw.utf8.count <= QuarantinedLine.maxRawBytes)
            #expect(!got.raw.utf8.contains(0))
            #expect(got.source == url.path)
        }
        #expect(contents.counts.linesRead == 18)
        #expect(contents.counts.linesSkipped == 2)
        #expect(contents.counts.recordsRead == contents.records.count + contents.quarantined.count)
        // The 10 MB line keeps its first bytes only.
        let long = try #require(contents.quarantined.first { $0.line == 9 })
        #expect(long.raw.utf8.count == QuarantinedLine.maxRawBytes)
        #expect(long.raw.hasPrefix(#"{"rrname":"big.example.""#))
        #expect(long.reason.contains("10485"))
    }

    @Test func loaderQuarantinesTheSameLinesInTheSameTransaction() throws {
        let dir = try TemporaryDirectory("bad")
        let url = try Self.badFile(in: dir)
        let db = try ReaderFixtures.lakehouse(in: dir)
        let summary = try BronzeLoader(database: db).load(fileAt: url, format: .cof, source: "bad.json", sha256: "abc123")
        #expect(summary.rowsLoaded == 2)
        #expect(summary.rowsQuarantined == Self.expectedReasons.count)
        #expect(summary.rowsRead == summary.rowsLoaded + summary.rowsQuarantined)
        #expect(summary.linesRead == summary.rowsRead + summary.linesSkipped)

        let rows = try ReaderFixtures.quarantineRows(db, loadID: summary.loadID)
        #expect(rows.map { $0.int("line") ?? 0 } == Self.expectedReasons.map(\.line))
        for (row, want) in zip(rows, Self.expectedReasons) {
            #expect(row.string("reason")?.contains(want.reason) == true, "line \(want.line)")
            #expect(row.string("source") == "bad.json")
            #expect((row.string("raw")?.utf8.count ?? .max) <= QuarantinedLine.maxRawBytes)
        }
        // Invalid bytes are replaced in the raw text, and the good bytes around them kept.
        #expect(rows[0].string("raw")?.hasPrefix("{\"rrname\":\"bad\u{FFFD}\u{FFFD}.example.") == true)

        let load = try #require(try db.query("SELECT * FROM loads WHERE load_id = ?", [summary.loadID]).first)
        #expect(load.string("table_name") == "bronze_dns")
        #expect(load.string("source") == "bad.json")
        #expect(load.string("sha256") == "abc123")
        #expect(load.string("format") == "cof")
        #expect(load.int64("bytes") == Int64((try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.int64Value ?? -1))
        #expect(load.int("rows_read") == summary.rowsRead)
        #expect(load.int("rows_loaded") == 2)
        #expect(load.int("rows_quarantined") == Self.expectedReasons.count)
        #expect(load.int("lines_skipped") == 2)
        let started = try #require(load.double("started"))
        let ended = try #require(load.double("ended"))
        #expect(ended >= started)
        #expect(abs(started - summary.started.timeIntervalSince1970) < 1)
    }

    @Test func aLongLineWithinTheLimitIsParsedAndOneOverItIsNot() throws {
        let dir = try TemporaryDirectory("bad")
        let name = String(repeating: "a", count: 3000) + ".example."
        let text = #"{"rrname":"\#(name)","rrtype":"A","rdata":[],"time_first":1,"time_last":2}"# + "\n" + ReaderFixtures.cofLine(2) + "\n"
        let url = try ReaderFixtures.write(text, named: "long.json", in: dir)
        let roomy = try DNSLogReader(fileAt: url, maxLineBytes: 4000).readAll()
        #expect(roomy.records.map(\.rrname).first == name)
        let tight = try DNSLogReader(fileAt: url, format: .cof, maxLineBytes: 1000).readAll()
        #expect(tight.quarantined.map(\.line) == [1])
        #expect(tight.records.count == 1)
    }
}
