/// One line of a DNS log as the scoring pipeline reads it: a record's text fields made
/// straight from the parser's bytes, or a quarantined line.
public enum DNSLogRow: Sendable, Equatable {
    case record(DNSRecordText)
    case quarantined(QuarantinedLine)
}

/// The fields of a record that a scored log row keeps, without the answer list: the answers
/// come joined (as `DNSRecord.rdatastr`) and, for address records, the first one alone.
///
/// Reading these instead of ``DNSRecord`` spares an array and a `String` per answer and the
/// joining of them again, for every line.
public struct DNSRecordText: Sendable, Equatable {
    /// The queried name as logged.
    public var rrname: String
    /// The record type as logged.
    public var rrtype: String
    /// The answers joined with commas: `DNSRecord.rdatastr`.
    public var rdatastr: String
    /// The first answer of an `A` or `AAAA` record (`DNSRecord.rdata.first`); nil for
    /// other types and for an address record without answers.
    public var address: String?
    public var timeFirst: Int64
    public var timeLast: Int64
    /// 1-based line in the source.
    public var line: Int
}

extension DNSLogReader {
    /// Calls `body` with each record (as ``DNSRecordText``) and quarantined line in order,
    /// and returns the counts: ``forEach(_:)`` for a reader that keeps text, not answers.
    @discardableResult
    public func forEachRow(_ body: (DNSLogRow) throws -> Void) throws -> DNSLogReadCounts {
        try readArena(record: { row, arena in try body(.record(Self.recordText(row, in: arena))) },
                      quarantined: { try body(.quarantined($0)) })
    }

    /// A row of the arena as ``DNSRecordText``.
    static func recordText(_ row: ArenaRow, in arena: borrowing RecordArena) -> DNSRecordText {
        let rrtype = arena.string(row.rrtype) ?? ""
        var address: String?
        if rrtype == "A" || rrtype == "AAAA" {
            address = firstAnswer(arena.bytes(row.rdataJSON))
        }
        return DNSRecordText(rrname: arena.string(row.rrname) ?? "", rrtype: rrtype, rdatastr: arena.string(row.rdatastr) ?? "",
                             address: address, timeFirst: row.timeFirst, timeLast: row.timeLast, line: row.line)
    }

    /// The first string of a JSON array of strings the arena wrote, as ``record(_:in:)``
    /// would give it in `rdata.first`: read in place when the array has no escape (then the
    /// next quote closes the string), else through the same decoding as ``record(_:in:)``.
    static func firstAnswer(_ json: UnsafeBufferPointer<UInt8>) -> String? {
        if json.count >= 4, json[0] == UInt8(ascii: "["), json[1] == UInt8(ascii: "\""), json[json.count - 1] == UInt8(ascii: "]"),
           !json.contains(UInt8(ascii: "\\")) {
            var close = 2
            while close < json.count - 1 && json[close] != UInt8(ascii: "\"") { close += 1 }
            if close < json.count - 1 {
                return String(decoding: UnsafeBufferPointer(rebasing: json[2..<close]), as: UTF8.self)
            }
        }
        if let plain = plainStrings(json) { return plain.first }
        if case .array(let elements)? = try? JSONLineParser.parse(json) { return elements.compactMap(\.string).first }
        return nil
    }
}
