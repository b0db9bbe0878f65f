import CPrefetch
import Foundation
import Lakehouse
import Tracking

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
        // Numbered parameters: the values every row of a batch shares (`timestamp`,
        // `model_uri`, `update_id`) are parameters 1 to 3, bound once per statement and read
        // by every row; each row's own values follow. That is 3 of 20 bindings per row fewer.
        func group(_ row: Int) -> String {
            var next = Self.sharedParameters + 1 + row * Self.ownParameters
            let values = Self.analyticsColumns.map { column -> String in
                switch column {
                case "timestamp": return "?1"
                case "model_uri": return "?2"
                case "update_id": return "?3"
                default:
                    defer { next += 1 }
                    return "?\(next)"
                }
            }
            return "(" + values.joined(separator: ",") + ")"
        }
        // OR FAIL instead of the default ABORT: a statement that cannot abort half-way needs no
        // statement journal, and SQLite would otherwise copy every existing page a multi-row
        // insert touches (64 KiB each) to a temporary file, statement after statement: that
        // copying cost more than the inserts. A failure still fails the statement, and the
        // caller rolls the whole file back.
        let head = "INSERT OR FAIL INTO dns_log_analytics (" + Self.analyticsColumns.joined(separator: ",") + ") VALUES "
        batchInsert = try database.prepare(head + (0..<Self.rowsPerStatement).map(group).joined(separator: ","))
        singleInsert = try database.prepare(head + group(0))
    }

    /// Parameters bound once per statement: `timestamp`, `model_uri`, `update_id`.
    private static let sharedParameters = 3
    /// Parameters of each row: every column but the shared ones.
    private static let ownParameters = 17

    /// The text of the rows of one statement, copied once into this buffer and read by
    /// SQLite in place (`SQLITE_STATIC`): binding each value with `SQLITE_TRANSIENT` made
    /// SQLite allocate and copy every one of the 16 text values of every row.
    private var staged: [UInt8] = []
    /// Where each staged value lies in ``staged``, in binding order; `length == -1` is NULL.
    private var spans: [(offset: Int, length: Int)] = []

    /// Inserts `rows` in the order of their `domain` (see ``insertionOrder(_:)``).
    func insertAnalytics(_ rows: [AnalyticsRow], timestamp: String, modelURI: String, updateID: Int64) throws {
        let order = Self.insertionOrder(rows)
        let statement = Self.rowsPerStatement
        // In that order the rows are read at random places of the batch (32,768 rows of 312
        // bytes, beyond the caches): the first read of each row missed the cache and was half
        // of this thread's own (Swift) time in `perf annotate`. So the rows of the statement
        // after next are asked for ahead, and the names of the next statement's rows (read
        // by then), while SQLite works on the current one.
        let prefetcher = RowPrefetcher(rows: rows, order: order)
        prefetcher.rows(0..<min(2 * statement, rows.count))
        var start = 0
        while rows.count - start >= statement {
            prefetcher.rows(min(start + 2 * statement, rows.count)..<min(start + 3 * statement, rows.count))
            prefetcher.names(min(start + statement, rows.count)..<min(start + 2 * statement, rows.count))
            try insert(rows, order[start..<(start + statement)], with: batchInsert, timestamp: timestamp, modelURI: modelURI, updateID: updateID)
            start += statement
        }
        for index in start..<rows.count {
            try insert(rows, order[index..<(index + 1)], with: singleInsert, timestamp: timestamp, modelURI: modelURI, updateID: updateID)
        }
    }

    /// Asks the CPU for the memory of rows (and of their names' text) before they are read.
    /// A prefetch is only a hint: it never faults and changes no value.
    private struct RowPrefetcher {
        let rows: [AnalyticsRow]
        let order: [Int]

        /// The cache lines of the rows at `positions` of the insertion order.
        func rows(_ positions: Range<Int>) {
            guard !positions.isEmpty else { return }
            rows.withUnsafeBufferPointer { memory in
                guard let base = memory.baseAddress else { return }
                for position in positions {
                    let row = UnsafeRawPointer(base + order[position])
                    for line in stride(from: 0, to: MemoryLayout<AnalyticsRow>.size, by: 64) { runme_prefetch(row + line) }
                    runme_prefetch(row + (MemoryLayout<AnalyticsRow>.size - 1))
                }
            }
        }

        /// The first bytes of the name (`domain`) of the rows at `positions`: most names are
        /// longer than a small string's 15 bytes, so their text lies elsewhere on the heap.
        func names(_ positions: Range<Int>) {
            for position in positions {
                _ = rows[order[position]].domain.utf8.withContiguousStorageIfAvailable { bytes in
                    if let start = bytes.baseAddress { runme_prefetch(start) }
                }
            }
        }
    }

    /// The order a batch's rows are inserted in: by the first bytes of `domain`, then by
    /// position. The index on that column has random keys; inserted in log order,
    /// each row lands on another leaf page of the index, and SQLite's descents and page
    /// loads were the largest cost of the write. In key order, neighbouring rows share leaf
    /// pages. Only rowids (the order rows were inserted in) differ from log order: every
    /// row's content is the same, `source_line` keeps its line, and `dns_ioc_latest` is
    /// upserted separately, in log order.
    static func insertionOrder(_ rows: [AnalyticsRow]) -> [Int] {
        // Up to 65,536 rows, each key is one integer (6 bytes of prefix over a 16-bit
        // position), sorted without a comparison closure; larger batches keep 8 bytes beside
        // the position.
        let packed = rows.count <= 1 << 16
        let prefixBytes = packed ? 6 : 8
        func prefix(_ text: String) -> UInt64 {
            var prefix: UInt64 = 0
            var taken = 0
            for byte in text.utf8 {
                prefix = prefix << 8 | UInt64(byte)
                taken += 1
                if taken == prefixBytes { break }
            }
            // Left-aligned, as SQLite's BINARY collation compares: a shorter key sorts first.
            return prefix << UInt64(8 * (prefixBytes - taken))
        }
        if packed {
            var keys = [UInt64]()
            keys.reserveCapacity(rows.count)
            for index in rows.indices { keys.append(prefix(rows[index].domain) << 16 | UInt64(index)) }
            return sortedByPrefix(keys).map { Int($0 & 0xFFFF) }
        }
        var keys = [(prefix: UInt64, index: Int)]()
        keys.reserveCapacity(rows.count)
        for index in rows.indices { keys.append((prefix(rows[index].domain), index)) }
        keys.sort { $0.prefix != $1.prefix ? $0.prefix < $1.prefix : $0.index < $1.index }
        return keys.map(\.index)
    }

    /// `keys` (6 bytes of prefix over a 16-bit position, in position order) sorted: a stable
    /// radix sort on the prefix, 12 bits a pass, so that equal prefixes keep their positions'
    /// order, which is the order of the whole keys (each is distinct). The standard library's
    /// merge sort of the batch's 32,768 keys cost the writer about as much as this whole sort
    /// does in four passes over the keys.
    static func sortedByPrefix(_ keys: [UInt64]) -> [UInt64] {
        let digitBits = 12
        var source = keys
        var target = [UInt64](repeating: 0, count: keys.count)
        var counts = [Int](repeating: 0, count: 1 << digitBits)
        for shift in stride(from: 16, to: 64, by: digitBits) {
            let mask = UInt64(1 << digitBits - 1)
            let moved = source.withUnsafeBufferPointer { from in
                target.withUnsafeMutableBufferPointer { to in
                    counts.withUnsafeMutableBufferPointer { counts -> Bool in
                        counts.update(repeating: 0)
                        for key in from { counts[Int(key >> UInt64(shift) & mask)] += 1 }
                        // A pass where every key has the same digit would leave the order as it is.
                        guard !counts.contains(from.count) else { return false }
                        var next = 0
                        for digit in counts.indices {
                            let count = counts[digit]
                            counts[digit] = next
                            next += count
                        }
                        for key in from {
                            let digit = Int(key >> UInt64(shift) & mask)
                            to[counts[digit]] = key
                            counts[digit] += 1
                        }
                        return true
                    }
                }
            }
            if moved { swap(&source, &target) }
        }
        return source
    }

    /// Stages the text of the rows at the positions `range` lists, binds it without copies, runs the statement and
    /// clears the bindings before the staging buffer can change (SQLite must never keep a
    /// pointer into it past this call). Rows are read field by field, by index: copying a
    /// whole row retains every one of its strings.
    private func insert(_ rows: [AnalyticsRow], _ range: ArraySlice<Int>, with statement: Statement,
                        timestamp: String, modelURI: String, updateID: Int64) throws {
        // Worked on as locals (their storage moved out and back): appending to a class's
        // stored arrays checks exclusive access dynamically on every call, which cost more
        // than the appends.
        var staged = self.staged
        var spans = self.spans
        self.staged = []
        self.spans = []
        defer {
            self.staged = staged
            self.spans = spans
        }
        staged.removeAll(keepingCapacity: true)
        spans.removeAll(keepingCapacity: true)
        func stage(_ text: String?) -> (offset: Int, length: Int) { Self.stage(text, into: &staged) }
        // Non-optional columns are staged without wrapping them in an Optional (a copy of the
        // string, retained and released, per value).
        func stage(_ text: String) -> (offset: Int, length: Int) { Self.stage(text, into: &staged) }
        func stage(_ unixSeconds: Int64?) -> (offset: Int, length: Int) { Self.stage(unixSeconds, into: &staged) }
        // The values every row shares are staged once.
        let shared = (timestamp: stage(timestamp), modelURI: stage(modelURI))
        var source = (offset: 0, length: -1)
        var previous = -1
        for row in range {
            spans.append(stage(rows[row].domain))
            spans.append(stage(rows[row].domainTldextract))
            spans.append(stage(rows[row].predictedClass))
            spans.append(stage(rows[row].eventTime))
            spans.append(stage(rows[row].rrtype))
            spans.append(stage(rows[row].rdata))
            spans.append(stage(rows[row].ipAddress))
            spans.append(stage(rows[row].threat))
            spans.append(stage(rows[row].tags))
            spans.append(stage(rows[row].brand))
            spans.append(stage(rows[row].fuzzer))
            spans.append(stage(rows[row].city))
            spans.append(stage(rows[row].country))
            spans.append(stage(rows[row].countryCode))
            // A batch comes from one file: its path is staged once.
            if previous < 0 || rows[row].source != rows[previous].source { source = stage(rows[row].source) }
            spans.append(source)
            previous = row
        }
        try staged.withUnsafeBufferPointer { bytes in
            defer { statement.clearBindings() }
            func bind(_ span: (offset: Int, length: Int), at index: Int32) throws {
                // A NULL needs no call: every parameter is NULL here, as the statement was
                // prepared or as `clearBindings` left it after its last run (most rows have
                // seven NULL columns: no threat, typosquat or location).
                guard span.length >= 0 else { return }
                // Bounded: every span was made by `stage` inside `staged`, which does not
                // change until the statement has run and its bindings are cleared.
                try statement.bind(unownedUTF8: UnsafeBufferPointer(rebasing: bytes[span.offset..<(span.offset + span.length)]), at: index)
            }
            try bind(shared.timestamp, at: 1)
            try bind(shared.modelURI, at: 2)
            try statement.bind(int: updateID, at: 3)
            var index = Int32(Self.sharedParameters + 1)
            var next = 0
            for row in range {
                let base = next
                next += Self.stagedPerRow
                try bind(spans[base], at: index)          // domain
                try bind(spans[base + 1], at: index + 1)  // domain_tldextract
                try bind(spans[base + 2], at: index + 2)  // class
                try statement.bind(double: rows[row].score, at: index + 3)
                for column in 0..<12 {                     // event_time … country_code, source
                    try bind(spans[base + 3 + column], at: index + 4 + Int32(column))
                }
                try statement.bind(int: Int64(rows[row].sourceLine), at: index + 16)
                index += Int32(Self.ownParameters)
            }
            try statement.run()
        }
    }

    /// Spans staged per row: every text column but `timestamp` and `model_uri`.
    private static let stagedPerRow = 15

    private static func stage(_ text: String?, into staged: inout [UInt8]) -> (offset: Int, length: Int) {
        guard let text else { return (staged.count, -1) }
        return stage(text, into: &staged)
    }

    private static func stage(_ text: String, into staged: inout [UInt8]) -> (offset: Int, length: Int) {
        let offset = staged.count
        // Copied from the string's own bytes: `append(contentsOf: text.utf8)` takes the view
        // as an owned argument, a retain and a release of the string per value.
        if text.utf8.withContiguousStorageIfAvailable({ staged.append(contentsOf: $0) }) == nil {
            staged.append(contentsOf: text.utf8)
        }
        return (offset, staged.count - offset)
    }

    /// A record's own time as SQL time text, written straight into the staging buffer.
    private static func stage(_ unixSeconds: Int64?, into staged: inout [UInt8]) -> (offset: Int, length: Int) {
        guard let unixSeconds else { return (staged.count, -1) }
        let offset = staged.count
        SQLTime.append(unixSeconds: unixSeconds, to: &staged)
        return (offset, staged.count - offset)
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
        var fields = ["\"rrname\":\(JSONStringLiteral.quoted(row.domain))", "\"rrtype\":\(JSONStringLiteral.quoted(row.rrtype))",
                      "\"rdata\":\(JSONStringLiteral.quoted(row.rdata))"]
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
        // Bound value by value, every parameter each time: an array of `SQLiteBindable`
        // boxed each of the 17 values of every detection.
        func bind(_ text: String?, at index: Int32) throws {
            if let text { try insert.bind(text: text, at: index) } else { try insert.bindNull(at: index) }
        }
        for detection in rows {
            let row = detection.row
            try insert.bind(text: row.domain, at: 1)
            try insert.bind(text: row.domainTldextract, at: 2)
            try insert.bind(text: row.predictedClass, at: 3)
            try insert.bind(double: row.score, at: 4)
            try insert.bind(text: detection.reason, at: 5)
            try insert.bind(text: detection.topFeatures, at: 6)
            try bind(row.threat, at: 7)
            try bind(row.tags, at: 8)
            try bind(row.brand, at: 9)
            try bind(row.fuzzer, at: 10)
            try bind(row.city, at: 11)
            try bind(row.country, at: 12)
            try bind(row.countryCode, at: 13)
            try insert.bind(text: timestamp, at: 14)
            try bind(row.eventTime.map { SQLTime.text(unixSeconds: $0) }, at: 15)
            try insert.bind(text: modelURI, at: 16)
            try insert.bind(int: updateID, at: 17)
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
