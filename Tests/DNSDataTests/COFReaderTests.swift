import DNSData
import Foundation
import Lakehouse
import TestSupport
import Testing

@Suite struct COFReaderTests {
    /// The file's non-empty lines, split by Foundation, independently of the readers.
    private func oracleLines(_ url: URL) throws -> [(line: Int, object: [String: Any])] {
        let text = try String(contentsOf: url, encoding: .utf8)
        var result: [(Int, [String: Any])] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            result.append((index + 1, object))
        }
        return result
    }

    @Test func sampleLoadsEveryRecordAndEveryFieldMatchesFoundation() throws {
        let oracle = try oracleLines(ReaderFixtures.dnsEvents)
        #expect(oracle.count == 1000)
        let dir = try TemporaryDirectory("cof")
        let db = try ReaderFixtures.lakehouse(in: dir)
        let summary = try BronzeLoader(database: db).load(fileAt: ReaderFixtures.dnsEvents, source: "dns_events.json")
        #expect(summary.format == .cof)
        #expect(summary.rowsLoaded == oracle.count)
        #expect(summary.rowsQuarantined == 0)
        #expect(summary.rowsRead == summary.rowsLoaded + summary.rowsQuarantined)
        #expect(summary.linesRead == 1000)

        let rows = try ReaderFixtures.bronzeRows(db, loadID: summary.loadID)
        try #require(rows.count == oracle.count)
        for (row, expected) in zip(rows, oracle) {
            let object = expected.object
            #expect(row.int("source_line") == expected.line)
            #expect(row.string("rrname") == object["rrname"] as? String)
            #expect(row.string("rrtype") == object["rrtype"] as? String)
            #expect(row.int64("time_first") == (object["time_first"] as? NSNumber)?.int64Value)
            #expect(row.int64("time_last") == (object["time_last"] as? NSNumber)?.int64Value)
            #expect(row.int64("count") == (object["count"] as? NSNumber)?.int64Value)
            #expect(row.string("bailiwick") == object["bailiwick"] as? String)
            let rdata = try #require(object["rdata"] as? [String])
            #expect(ReaderFixtures.jsonStrings(row.string("rdata")) == rdata)
            #expect(row.string("rdatastr") == rdata.joined(separator: ","))
        }
    }

    @Test func readerGivesTheSameRecordsAsTheOracle() throws {
        let oracle = try oracleLines(ReaderFixtures.dnsEvents)
        let contents = try DNSLogReader(fileAt: ReaderFixtures.dnsEvents).readAll()
        #expect(contents.quarantined.isEmpty)
        try #require(contents.records.count == oracle.count)
        #expect(contents.recordLines == oracle.map(\.line))
        for (record, expected) in zip(contents.records, oracle) {
            let object = expected.object
            let want = DNSRecord(
                rrname: object["rrname"] as? String ?? "?",
                rrtype: object["rrtype"] as? String ?? "?",
                rdata: object["rdata"] as? [String] ?? ["?"],
                timeFirst: (object["time_first"] as? NSNumber)?.int64Value ?? -1,
                timeLast: (object["time_last"] as? NSNumber)?.int64Value ?? -1,
                count: (object["count"] as? NSNumber)?.int64Value,
                bailiwick: object["bailiwick"] as? String
            )
            #expect(record == want)
        }
    }

    @Test func streamingSampleHasTheAgentTeslaDomain() throws {
        // The file ends without a line end; its last line is still a record.
        let contents = try DNSLogReader(fileAt: ReaderFixtures.dnsTest1).readAll()
        #expect(contents.quarantined.isEmpty)
        #expect(contents.records.map(\.rrname) == ["ns1.asdklgb.cf.", "google.com", "www.googlee.com"])
        let tesla = try #require(contents.records.first)
        #expect(tesla == DNSRecord(rrname: "ns1.asdklgb.cf.", rrtype: "A", rdata: ["162.241.29.141"],
                                   timeFirst: 1_566_230_345, timeLast: 1_566_936_418, count: 7_986_766, bailiwick: "cf."))
        #expect(contents.records[1].count == 223_591_889)
        #expect(contents.records[1].bailiwick == ".")
        #expect(contents.records[2].rdata == ["a.root-servers.net. nstld.verisign-grs.com. 2019082200 1800 900 604800 86400"])

        let dir = try TemporaryDirectory("cof")
        let db = try ReaderFixtures.lakehouse(in: dir)
        let summary = try BronzeLoader(database: db).load(fileAt: ReaderFixtures.dnsTest1)
        #expect(summary.rowsLoaded == 3)
        #expect(try db.scalar("SELECT count(*) FROM bronze_dns WHERE rrname = 'ns1.asdklgb.cf.' AND rdatastr = '162.241.29.141'")?.int64Value == 1)
    }

    @Test func acceptsTheOptionalForms() throws {
        let dir = try TemporaryDirectory("cof")
        let lines = [
            // rdata as a single string; zone times in place of time_*; no count or bailiwick.
            #"{"rrname":"a.example.","rrtype":"A","rdata":"192.0.2.1","zone_time_first":1500000000,"zone_time_last":1500000100}"#,
            // Escapes, unicode escapes with a surrogate pair, unknown nested keys, whitespace.
            #" { "rrname" : "caf\u00e9.example." , "rrtype":"TXT", "sensor_id":{"a":[1,2,{"b":null}],"c":true},"rdata":["\"v=spf1 -all\"","\ud83d\ude00 \\ \/"], "time_first":1,"time_last":2.9,"count":null,"bailiwick":null } "#,
            // A count beyond Int64 is clamped, not quarantined.
            #"{"rrname":"big.example.","rrtype":"NS","rdata":[],"time_first":1,"time_last":2,"count":99999999999999999999999}"#,
            // An escaped key.
            #"{"rr\u006eame":"k.example.","rrtype":"A","rdata":["192.0.2.2"],"time_first":3,"time_last":4,"count":1e3}"#,
        ]
        let url = try ReaderFixtures.write(lines.joined(separator: "\r\n") + "\r\n", named: "forms.json", in: dir)
        let contents = try DNSLogReader(fileAt: url).readAll()
        #expect(contents.quarantined.map(\.reason) == [])
        #expect(contents.records == [
            DNSRecord(rrname: "a.example.", rrtype: "A", rdata: ["192.0.2.1"], timeFirst: 1_500_000_000, timeLast: 1_500_000_100),
            DNSRecord(rrname: "café.example.", rrtype: "TXT", rdata: ["\"v=spf1 -all\"", "😀 \\ /"], timeFirst: 1, timeLast: 2),
            DNSRecord(rrname: "big.example.", rrtype: "NS", rdata: [], timeFirst: 1, timeLast: 2, count: Int64.max),
            DNSRecord(rrname: "k.example.", rrtype: "A", rdata: ["192.0.2.2"], timeFirst: 3, timeLast: 4, count: 1000),
        ])

        let db = try ReaderFixtures.lakehouse(in: dir)
        let summary = try BronzeLoader(database: db).load(fileAt: url)
        let rows = try ReaderFixtures.bronzeRows(db, loadID: summary.loadID)
        try #require(rows.count == 4)
        // The stored rdata is canonical JSON that any reader parses back to the answers.
        #expect(rows[1].string("rdata") == #"["\"v=spf1 -all\"","😀 \\ /"]"#)
        #expect(ReaderFixtures.jsonStrings(rows[1].string("rdata")) == ["\"v=spf1 -all\"", "😀 \\ /"])
        #expect(rows[1].string("rdatastr") == "\"v=spf1 -all\",😀 \\ /")
        #expect(rows[1].isNullCount)
        #expect(rows[2].string("rdata") == "[]")
        #expect(rows[2].string("rdatastr") == "")
        #expect(rows[2].int64("count") == Int64.max)
    }
}

extension Row {
    var isNullCount: Bool { self["count"] == .null }
}
