import Glibc

/// Reads passive DNS Common Output Format: one JSON object a line.
///
/// Mapping to ``DNSRecord`` (the format's own fields, unchanged):
/// - `rrname`, `rrtype`: strings, mandatory and not empty; kept as written (case and
///   trailing dot too: normalising is the silver step's job).
/// - `rdata`: mandatory, a string (one answer) or an array of strings; `[]` is allowed.
/// - `time_first`, `time_last`: mandatory numbers, Unix seconds; `zone_time_first` and
///   `zone_time_last` are taken when the `time_` ones are absent. A fractional time is
///   rounded down; a time beyond Int64 breaks the schema.
/// - `count`: optional number or null. Counts beyond Int64 are clamped to `Int64.max`
///   (9223372036854775807): the record is valid and a saturated count still ranks as the
///   largest. A negative count breaks the schema.
/// - `bailiwick`: optional string or null.
/// - Other keys (`sensor_id`, `raw_rdata`, …) are checked as JSON and skipped.
///
/// A line breaks the schema when a mandatory field is missing or a field has the wrong
/// type; it is then quarantined with the reason.
///
/// This is the loading hot path: it scans bytes once, writes values straight into the
/// arena and makes no `String`.
struct COFReader: DNSLineParser {
    private enum Field {
        case rrname, rrtype, rdata, timeFirst, timeLast, zoneTimeFirst, zoneTimeLast, count, bailiwick, other
    }

    private struct Seen: OptionSet {
        let rawValue: UInt16
        static let rrname = Seen(rawValue: 1)
        static let rrtype = Seen(rawValue: 2)
        static let rdata = Seen(rawValue: 4)
        static let timeFirst = Seen(rawValue: 8)
        static let timeLast = Seen(rawValue: 16)
        static let zoneTimeFirst = Seen(rawValue: 32)
        static let zoneTimeLast = Seen(rawValue: 64)
    }

    mutating func parse(_ line: UnsafeBufferPointer<UInt8>, base: UnsafePointer<UInt8>, into arena: inout RecordArena) -> LineOutcome {
        do {
            return try parseObject(line, base: base, into: &arena)
        } catch {
            return .rejected(error.reason)
        }
    }

    @inline(__always)
    private func parseObject(_ line: UnsafeBufferPointer<UInt8>, base: UnsafePointer<UInt8>, into arena: inout RecordArena) throws(JSONSyntaxError) -> LineOutcome {
        var cursor = JSONCursor(line, base: base)
        cursor.skipWhitespace()
        guard cursor.peek() == UInt8(ascii: "{") else {
            throw cursor.fail("expected '{' (a JSON object), found \(cursor.found)")
        }
        cursor.p += 1
        var seen: Seen = []
        var zoneTimeFirst: Int64 = 0
        var zoneTimeLast: Int64 = 0
        cursor.skipWhitespace()
        if cursor.peek() == UInt8(ascii: "}") {
            cursor.p += 1
        } else {
            while true {
                cursor.skipWhitespace()
                let key = try cursor.scanString()
                let field = key.escaped ? try Self.escapedField(key.start, key.count) : Self.field(key.start, key.count)
                cursor.skipWhitespace()
                try cursor.expect(UInt8(ascii: ":"), "':'")
                cursor.skipWhitespace()
                switch field {
                case .rrname:
                    arena.current.rrname = try Self.readText(&cursor, into: &arena, name: "rrname", nullable: false)
                    seen.insert(.rrname)
                case .rrtype:
                    arena.current.rrtype = try Self.readText(&cursor, into: &arena, name: "rrtype", nullable: false)
                    seen.insert(.rrtype)
                case .bailiwick:
                    arena.current.bailiwick = try Self.readText(&cursor, into: &arena, name: "bailiwick", nullable: true)
                case .rdata:
                    try Self.readRData(&cursor, into: &arena)
                    seen.insert(.rdata)
                case .timeFirst:
                    arena.current.timeFirst = try Self.readTime(&cursor, name: "time_first")
                    seen.insert(.timeFirst)
                case .timeLast:
                    arena.current.timeLast = try Self.readTime(&cursor, name: "time_last")
                    seen.insert(.timeLast)
                case .zoneTimeFirst:
                    zoneTimeFirst = try Self.readTime(&cursor, name: "zone_time_first")
                    seen.insert(.zoneTimeFirst)
                case .zoneTimeLast:
                    zoneTimeLast = try Self.readTime(&cursor, name: "zone_time_last")
                    seen.insert(.zoneTimeLast)
                case .count:
                    try Self.readCount(&cursor, into: &arena.current)
                case .other:
                    try cursor.skipValue(depth: 1)
                }
                cursor.skipWhitespace()
                if cursor.peek() == UInt8(ascii: ",") {
                    cursor.p += 1
                    continue
                }
                try cursor.expect(UInt8(ascii: "}"), "',' or '}'")
                break
            }
        }
        cursor.skipWhitespace()
        guard cursor.atEnd else { throw cursor.fail("unexpected \(cursor.found) after the JSON object") }

        if !seen.contains(.timeFirst) && seen.contains(.zoneTimeFirst) {
            arena.current.timeFirst = zoneTimeFirst
            seen.insert(.timeFirst)
        }
        if !seen.contains(.timeLast) && seen.contains(.zoneTimeLast) {
            arena.current.timeLast = zoneTimeLast
            seen.insert(.timeLast)
        }
        let mandatory: Seen = [.rrname, .rrtype, .rdata, .timeFirst, .timeLast]
        guard seen.isSuperset(of: mandatory) else { return .rejected(Self.missingReason(seen)) }
        if arena.current.rrname.length == 0 { return .rejected("rrname is empty") }
        if arena.current.rrtype.length == 0 { return .rejected("rrtype is empty") }
        return .record
    }

    private static func missingReason(_ seen: Seen) -> String {
        var missing: [String] = []
        if !seen.contains(.rrname) { missing.append("rrname") }
        if !seen.contains(.rrtype) { missing.append("rrtype") }
        if !seen.contains(.rdata) { missing.append("rdata") }
        if !seen.contains(.timeFirst) { missing.append("time_first (or zone_time_first)") }
        if !seen.contains(.timeLast) { missing.append("time_last (or zone_time_last)") }
        return "missing mandatory field\(missing.count == 1 ? "" : "s"): " + missing.joined(separator: ", ")
    }

    /// Whether the key bytes at `p` (of the literal's length, 4 to 16) equal the literal:
    /// two overlapping word loads instead of a call to memcmp, which was a visible share
    /// of parsing short keys.
    @inline(__always)
    private static func matches(_ p: UnsafePointer<UInt8>, _ key: StaticString) -> Bool {
        let n = key.utf8CodeUnitCount
        let a = UnsafeRawPointer(p)
        let b = UnsafeRawPointer(key.utf8Start)
        if n >= 8 {
            return a.loadUnaligned(as: UInt64.self) == b.loadUnaligned(as: UInt64.self)
                && a.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) == b.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
        }
        return a.loadUnaligned(as: UInt32.self) == b.loadUnaligned(as: UInt32.self)
            && a.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self) == b.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
    }

    /// The field a key names, by length first so that most keys cost one comparison.
    @inline(__always)
    private static func field(_ p: UnsafePointer<UInt8>, _ n: Int) -> Field {
        // Every key of interest is 5 to 15 bytes long, so `matches` reads within the key.
        switch n {
        case 5:
            if matches(p, "rdata") { return .rdata }
            if matches(p, "count") { return .count }
        case 6:
            if matches(p, "rrname") { return .rrname }
            if matches(p, "rrtype") { return .rrtype }
        case 9:
            if matches(p, "time_last") { return .timeLast }
            if matches(p, "bailiwick") { return .bailiwick }
        case 10:
            if matches(p, "time_first") { return .timeFirst }
        case 14:
            if matches(p, "zone_time_last") { return .zoneTimeLast }
        case 15:
            if matches(p, "zone_time_first") { return .zoneTimeFirst }
        default:
            break
        }
        return .other
    }

    /// A key written with escapes (`"rr\u006eame"`): decoded, then matched.
    private static func escapedField(_ p: UnsafePointer<UInt8>, _ n: Int) throws(JSONSyntaxError) -> Field {
        var decoded = ByteBuffer(capacity: n + 1)
        try decode((p, n, true), into: &decoded)
        return decoded.count >= 4 ? field(decoded.base, decoded.count) : .other
    }

    /// A string field written into the arena; null gives an absent span when `nullable`.
    @inline(__always)
    private static func readText(_ cursor: inout JSONCursor, into arena: inout RecordArena, name: StaticString, nullable: Bool) throws(JSONSyntaxError) -> ArenaSpan {
        if cursor.peek() == UInt8(ascii: "\"") {
            let raw = try cursor.scanString()
            if !raw.escaped { return arena.write(raw.start, count: raw.count) }
            let start = arena.mark
            try decode(raw, into: &arena.text)
            return arena.span(from: start)
        }
        if nullable && cursor.skipIfLiteral("null") { return ArenaSpan() }
        throw .schema("\(name) must be a string, found \(cursor.valueTypeName)")
    }

    /// Decodes a scanned string that has escapes.
    private static func decode(_ raw: (start: UnsafePointer<UInt8>, count: Int, escaped: Bool), into out: inout ByteBuffer) throws(JSONSyntaxError) {
        // The scan excluded the quotes; read again with them.
        var cursor = JSONCursor(UnsafeBufferPointer(start: raw.start - 1, count: raw.count + 2), base: raw.start - 1)
        try cursor.readString(into: &out)
    }

    /// One answer: raw bytes of a string without escapes are already canonical JSON
    /// content (no quote, backslash or control character), so they are copied as they are.
    @inline(__always)
    private static func readRDataElement(_ cursor: inout JSONCursor, into arena: inout RecordArena) throws(JSONSyntaxError) {
        let raw = try cursor.scanString()
        if !raw.escaped {
            arena.appendRDataCanonical(raw.start, count: raw.count)
        } else {
            arena.scratch.removeAll()
            try decode(raw, into: &arena.scratch)
            arena.appendRDataFromScratch()
        }
    }

    @inline(__always)
    private static func readRData(_ cursor: inout JSONCursor, into arena: inout RecordArena) throws(JSONSyntaxError) {
        switch cursor.peek() {
        case UInt8(ascii: "\""):
            arena.beginRData()
            try readRDataElement(&cursor, into: &arena)
            arena.endRData()
        case UInt8(ascii: "["):
            cursor.p += 1
            arena.beginRData()
            cursor.skipWhitespace()
            if cursor.peek() == UInt8(ascii: "]") {
                cursor.p += 1
            } else {
                while true {
                    cursor.skipWhitespace()
                    guard cursor.peek() == UInt8(ascii: "\"") else {
                        throw .schema("rdata elements must be strings, found \(cursor.valueTypeName)")
                    }
                    try readRDataElement(&cursor, into: &arena)
                    cursor.skipWhitespace()
                    if cursor.peek() == UInt8(ascii: ",") {
                        cursor.p += 1
                        continue
                    }
                    try cursor.expect(UInt8(ascii: "]"), "',' or ']'")
                    break
                }
            }
            arena.endRData()
        default:
            throw .schema("rdata must be a string or an array of strings, found \(cursor.valueTypeName)")
        }
    }

    @inline(__always)
    private static func readTime(_ cursor: inout JSONCursor, name: StaticString) throws(JSONSyntaxError) -> Int64 {
        let c = cursor.peek()
        guard c == UInt8(ascii: "-") || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) else {
            throw .schema("\(name) must be a number (Unix seconds), found \(cursor.valueTypeName)")
        }
        let number = try cursor.readNumber()
        guard let value = number.floorInt64 else {
            throw .schema("\(name) \(String(decoding: number.text, as: UTF8.self)) is out of range")
        }
        return value
    }

    @inline(__always)
    private static func readCount(_ cursor: inout JSONCursor, into row: inout ArenaRow) throws(JSONSyntaxError) {
        if cursor.skipIfLiteral("null") {
            row.hasCount = false
            return
        }
        let c = cursor.peek()
        guard c == UInt8(ascii: "-") || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) else {
            throw .schema("count must be a number, found \(cursor.valueTypeName)")
        }
        let number = try cursor.readNumber()
        let value = number.saturatingInt64
        guard value >= 0 else { throw .schema("count \(String(decoding: number.text, as: UTF8.self)) is negative") }
        row.count = value
        row.hasCount = true
    }
}
