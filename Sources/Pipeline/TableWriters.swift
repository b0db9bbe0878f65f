import Foundation
import Lakehouse

/// Inserts the scoring pipeline's rows with multi-row statements (SQLite's per-statement
/// overhead dominates single-row inserts of narrow rows).
final class ScoringWriters {
    let database: Database
    private static let analyticsColumns = [
        "domain", "domain_tldextract", "class", "score", "timestamp", "event_time", "rrtype", "rdata", "ip_address",
        "threat", "tags", "brand", "fuzzer", "city", "country", "country_code", "model_uri", "source", "source_line", "update_id",
    ]
    private static let rowsPerStatement = 32
    private let batchInsert: Statement
    private let singleInsert: Statement

    init(database: Database) throws {
        self.database = database
        let group = "(" + Array(repeating: "?", count: Self.analyticsColumns.count).joined(separator: ",") + ")"
        // OR FAIL instead of the default ABORT: a statement that cannot abort half-way needs no
        // statement journal, and SQLite would otherwise copy every existing page a multi-row
        // insert touches (64 KiB each) to a temporary file, statement after statement: that
        // copying cost more than the inserts. A failure still fails the statement, and the
        // caller rolls the whole file back.
        let head = "INSERT OR FAIL INTO dns_log_analytics (" + Self.analyticsColumns.joined(separator: ",") + ") VALUES "
        batchInsert = try database.prepare(head + Array(repeating: group, count: Self.rowsPerStatement).joined(separator: ","))
        singleInsert = try database.prepare(head + group)
    }

    func insertAnalytics(_ rows: [AnalyticsRow], timestamp: String, modelURI: String, updateID: Int64) throws {
        var start = 0
        while rows.count - start >= Self.rowsPerStatement {
            var index: Int32 = 1
            for row in rows[start..<(start + Self.rowsPerStatement)] {
                try bind(row, to: batchInsert, at: &index, timestamp: timestamp, modelURI: modelURI, updateID: updateID)
            }
            try batchInsert.run()
            start += Self.rowsPerStatement
        }
        for row in rows[start...] {
            var index: Int32 = 1
            try bind(row, to: singleInsert, at: &index, timestamp: timestamp, modelURI: modelURI, updateID: updateID)
            try singleInsert.run()
        }
    }

    @inline(__always)
    private func bind(_ row: AnalyticsRow, to statement: Statement, at index: inout Int32, timestamp: String, modelURI: String, updateID: Int64) throws {
        func text(_ value: String?) throws {
            if let value { try statement.bind(text: value, at: index) } else { try statement.bindNull(at: index) }
            index += 1
        }
        try text(row.domain)
        try text(row.domainTldextract)
        try text(row.predictedClass)
        try statement.bind(double: row.score, at: index); index += 1
        try text(timestamp)
        try text(row.eventTime.map { SQLTime.text(unixSeconds: $0) })
        try text(row.rrtype)
        try text(row.rdata)
        try text(row.ipAddress)
        try text(row.threat)
        try text(row.tags)
        try text(row.brand)
        try text(row.fuzzer)
        try text(row.city)
        try text(row.country)
        try text(row.countryCode)
        try text(modelURI)
        try text(row.source)
        try statement.bind(int: Int64(row.sourceLine), at: index); index += 1
        try statement.bind(int: updateID, at: index); index += 1
    }

    func quarantine(_ rows: [(row: AnalyticsRow, expectations: String)], timestamp: String, updateID: Int64) throws {
        guard !rows.isEmpty else { return }
        let insert = try database.cachedStatement(
            "INSERT INTO dns_log_analytics_quarantine (source, source_line, expectation, raw, timestamp, update_id) VALUES (?, ?, ?, ?, ?, ?)")
        for (row, expectations) in rows {
            try insert.bind([row.source, row.sourceLine, expectations, row.raw ?? Self.recordText(row), timestamp, updateID])
            try insert.run()
        }
    }

    /// A record that parsed but failed an expectation, as JSON text for the quarantine.
    static func recordText(_ row: AnalyticsRow) -> String {
        var fields = ["\"rrname\":\(JSONNumber.quote(row.domain))", "\"rrtype\":\(JSONNumber.quote(row.rrtype))",
                      "\"rdata\":\(JSONNumber.quote(row.rdata))"]
        if let time = row.eventTime { fields.append("\"time_last\":\(time)") }
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// Replaces each detected domain's row with its latest detection.
    func upsertDetections(_ rows: [DetectionRow], timestamp: String, modelURI: String, updateID: Int64) throws {
        guard !rows.isEmpty else { return }
        let insert = try database.cachedStatement("""
            INSERT OR REPLACE INTO dns_ioc_latest (domain, domain_tldextract, class, score, reason, top_features, threat, tags, brand, fuzzer,
                city, country, country_code, timestamp, event_time, model_uri, update_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for detection in rows {
            let row = detection.row
            try insert.bind([row.domain, row.domainTldextract, row.predictedClass, row.score, detection.reason, detection.topFeatures,
                             row.threat, row.tags, row.brand, row.fuzzer, row.city, row.country, row.countryCode, timestamp,
                             row.eventTime.map { SQLTime.text(unixSeconds: $0) }, modelURI, updateID])
            try insert.run()
        }
    }
}

/// The gold table's transformation: the rows that are detections, with their reasons and
/// the model's explanation.
public enum Detections {
    /// Rows scored `ioc`, or matching the threat feed, or matching a typosquat.
    public static func detect(_ rows: [AnalyticsRow], model: ScoringModel) throws -> [DetectionRow] {
        let hits = rows.filter { $0.predictedClass == "ioc" || $0.threat != nil || $0.brand != nil }
        guard !hits.isEmpty else { return [] }
        let explanations = try model.topFeatures(hits.map(\.label))
        return zip(hits, explanations).map { row, features in
            var reasons: [String] = []
            if row.predictedClass == "ioc" { reasons.append("model") }
            if row.threat != nil { reasons.append("threat_feed") }
            if row.brand != nil { reasons.append("typosquat") }
            return DetectionRow(row: row, reason: reasons.joined(separator: ","), topFeatures: features)
        }
    }
}
