import Foundation
import Lakehouse
@testable import Pipeline
import TestSupport
import Testing

/// The writer names `dns_log_analytics`' columns in one place (the statement's column list)
/// and binds the values in another (a hand-unrolled loop): a column added to, or moved in,
/// one of them but not the other would put values into the wrong columns without an error.
/// So every field of every row is given a value no other field has, and read back by name.
@Suite(.serialized) struct AnalyticsColumnsTests {
    @Test func everyFieldLandsInItsOwnColumnThroughBothStatements() throws {
        let directory = try TemporaryDirectory("analytics-columns")
        let database = try LakehouseSchema.open(storeDirectory: directory.file("store"))
        let writers = try ScoringWriters(database: database)
        // 70 rows: two full 32-row statements and six single-row ones. Every third row has
        // no optional value at all, right after rows that had them all: a parameter left
        // bound by the statement's previous run would show up there instead of NULL.
        let rows: [AnalyticsRow] = (0..<70).map { i in
            var row = AnalyticsRow(domain: "name\(i).example.", domainTldextract: "registered\(i).example", label: "label\(i)",
                                   source: i < 40 ? "/logs/first.json" : "/logs/second.json", sourceLine: 1_000 + i)
            row.predictedClass = i.isMultiple(of: 2) ? "ioc" : "legit"
            row.score = Double(i) / 128
            row.rrtype = "TYPE\(i)"
            row.rdata = "rdata\(i)"
            if i % 3 != 2 {
                row.eventTime = 1_600_000_000 + Int64(i) * 86_461
                row.ipAddress = "ip\(i)"
                row.threat = "threat\(i)"
                row.tags = "tags\(i)"
                row.brand = "brand\(i)"
                row.fuzzer = "fuzzer\(i)"
                row.city = "city\(i)"
                row.country = "country\(i)"
                row.countryCode = "cc\(i)"
            }
            return row
        }
        try database.transaction {
            try writers.insertAnalytics(rows, timestamp: "2026-11-23 20:00:00.000", modelURI: "models:/dns_dga/7", updateID: 42)
        }

        // The record's time as SQLite itself writes a Unix time, not as the writer does.
        let stored = try database.query("""
            SELECT *, strftime('%Y-%m-%d %H:%M:%f', event_time_seconds, 'unixepoch') AS expected_event_time FROM (
                SELECT *, CAST(substr(rrtype, 5) AS INTEGER) AS i, 1600000000 + CAST(substr(rrtype, 5) AS INTEGER) * 86461 AS event_time_seconds
                FROM dns_log_analytics) ORDER BY source_line
            """)
        #expect(stored.count == rows.count)
        for (row, record) in zip(rows, stored) {
            let i = row.sourceLine - 1_000
            #expect(record.string("domain") == "name\(i).example.")
            #expect(record.string("domain_tldextract") == "registered\(i).example")
            #expect(record.string("class") == (i.isMultiple(of: 2) ? "ioc" : "legit"))
            #expect(record.double("score") == Double(i) / 128)
            #expect(record.string("timestamp") == "2026-11-23 20:00:00.000")
            #expect(record.string("rrtype") == "TYPE\(i)")
            #expect(record.string("rdata") == "rdata\(i)")
            #expect(record.string("model_uri") == "models:/dns_dga/7")
            #expect(record.string("source") == (i < 40 ? "/logs/first.json" : "/logs/second.json"))
            #expect(record.int("source_line") == 1_000 + i)
            #expect(record.int("update_id") == 42)
            let optional = ["ip_address": "ip", "threat": "threat", "tags": "tags", "brand": "brand", "fuzzer": "fuzzer",
                            "city": "city", "country": "country", "country_code": "cc"]
            if i % 3 != 2 {
                #expect(record.string("event_time") == record.string("expected_event_time"), "line \(row.sourceLine)")
                for (column, prefix) in optional {
                    #expect(record.string(column) == "\(prefix)\(i)", "\(column) of line \(row.sourceLine)")
                }
            } else {
                #expect(record["event_time"] == .null, "line \(row.sourceLine)")
                for column in optional.keys {
                    #expect(record[column] == .null, "\(column) of line \(row.sourceLine)")
                }
            }
        }
    }
}
