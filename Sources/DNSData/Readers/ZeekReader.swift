/// Reads Zeek's `dns.log` in its tab-separated ASCII layout.
///
/// The `#separator`, `#set_separator`, `#empty_field`, `#unset_field` and `#fields` header
/// lines are honoured wherever they occur (concatenated logs repeat them); every `#` line
/// is skipped, not a record. Data lines before any `#fields` line are quarantined.
///
/// Mapping to ``DNSRecord`` (each line is one DNS transaction):
/// - `query` → `rrname`, as logged (Zeek drops the trailing dot).
/// - `qtype_name` → `rrtype`; when unset, the `qtype` number's mnemonic (`TYPE<n>` if unnamed).
/// - `answers` → `rdata`, split on the set separator; unset or empty gives `[]`. Zeek puts
///   every answer of the response there (CNAME targets and addresses alike).
/// - `ts` → `time_first` and `time_last`, Unix seconds rounded down.
/// - `count` 1 (one observation); `bailiwick` NULL (Zeek does not log it).
///
/// Zeek's `\xHH` escapes are decoded; a query or answer that is then not valid UTF-8 or
/// holds NUL, an unset `query`, `ts` or type, or a line with the wrong number of fields
/// is quarantined. A `#fields` line without `ts` and `query` means the log is not a
/// `dns.log`: the load is refused.
struct ZeekReader: DNSLineParser {
    private var separator: [UInt8] = [0x09]
    private var setSeparator: [UInt8] = [UInt8(ascii: ",")]
    private var emptyField: [UInt8] = Array("(empty)".utf8)
    private var unsetField: [UInt8] = [UInt8(ascii: "-")]
    private var path: String?
    private var fieldCount = 0
    private var tsIndex = -1
    private var queryIndex = -1
    private var qtypeNameIndex = -1
    private var qtypeIndex = -1
    private var answersIndex = -1

    mutating func parse(_ line: UnsafeBufferPointer<UInt8>, base: UnsafePointer<UInt8>, into arena: inout RecordArena) throws -> LineOutcome {
        if line[0] == UInt8(ascii: "#") {
            try readHeader(line)
            return .skipped
        }
        guard fieldCount > 0 else { return .rejected("a data line before the Zeek #fields header line") }
        let fields = Self.split(line, by: separator)
        guard fields.count == fieldCount else {
            return .rejected("expected \(fieldCount) fields (as #fields lists), found \(fields.count)")
        }
        let ts = fields[tsIndex]
        guard !isUnsetOrEmpty(line, ts), let seconds = Self.unixSeconds(line, ts) else {
            return .rejected("ts is not a Unix time: '\(Self.text(line, ts))'")
        }
        let query = fields[queryIndex]
        guard !isUnsetOrEmpty(line, query) else { return .rejected("no query (the query field is unset)") }
        guard let rrname = Self.decoded(line, query) else {
            return .rejected("the query is not valid UTF-8 text (or holds NUL) after decoding Zeek's \\x escapes")
        }
        var rrtype: String?
        if qtypeNameIndex >= 0, !isUnsetOrEmpty(line, fields[qtypeNameIndex]) {
            rrtype = Self.decoded(line, fields[qtypeNameIndex])
        } else if qtypeIndex >= 0, !isUnsetOrEmpty(line, fields[qtypeIndex]), let number = Int(Self.text(line, fields[qtypeIndex])) {
            rrtype = DNSTypeNames.name(of: number)
        }
        guard let rrtype, !rrtype.isEmpty else { return .rejected("no query type (qtype_name and qtype are unset)") }

        arena.current.rrname = arena.write(rrname)
        arena.current.rrtype = arena.write(rrtype)
        arena.beginRData()
        if answersIndex >= 0 {
            let answers = fields[answersIndex]
            if !isUnsetOrEmpty(line, answers) {
                let slice = UnsafeBufferPointer(rebasing: line[answers])
                for element in Self.split(slice, by: setSeparator) {
                    guard let answer = Self.decoded(slice, element) else {
                        return .rejected("an answer is not valid UTF-8 text (or holds NUL) after decoding Zeek's \\x escapes")
                    }
                    arena.appendRData(answer)
                }
            }
        }
        arena.endRData()
        arena.setSingleObservation(at: seconds)
        return .record
    }

    private mutating func readHeader(_ line: UnsafeBufferPointer<UInt8>) throws {
        // "#separator" is followed by a space, and its value is escaped ("\x09").
        let separatorDirective = Array("#separator ".utf8)
        if line.count > separatorDirective.count, Array(line.prefix(separatorDirective.count)) == separatorDirective {
            let value = Self.unescape(Array(line.dropFirst(separatorDirective.count)))
            if !value.isEmpty { separator = value }
            return
        }
        let parts = Self.split(line, by: separator).map { Array(line[$0]) }
        guard let directive = parts.first.map({ String(decoding: $0, as: UTF8.self) }) else { return }
        let value = parts.count > 1 ? Self.unescape(parts[1]) : []
        switch directive {
        case "#set_separator": if !value.isEmpty { setSeparator = value }
        case "#empty_field": emptyField = value
        case "#unset_field": unsetField = value
        case "#path": path = String(decoding: value, as: UTF8.self)
        case "#fields":
            let names = parts.dropFirst().map { String(decoding: $0, as: UTF8.self) }
            tsIndex = names.firstIndex(of: "ts") ?? -1
            queryIndex = names.firstIndex(of: "query") ?? -1
            qtypeNameIndex = names.firstIndex(of: "qtype_name") ?? -1
            qtypeIndex = names.firstIndex(of: "qtype") ?? -1
            answersIndex = names.firstIndex(of: "answers") ?? -1
            guard tsIndex >= 0, queryIndex >= 0 else {
                let kind = path.map { " (its #path is \($0))" } ?? ""
                throw LayoutError(reason: "its #fields line has no 'ts' and 'query' columns, so it is not a dns.log\(kind)")
            }
            fieldCount = names.count
        default:
            break
        }
    }

    private func isUnsetOrEmpty(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        range.isEmpty || line[range].elementsEqual(unsetField) || line[range].elementsEqual(emptyField)
    }

    /// The ranges of the fields of `bytes` split on `separator` (empty fields kept).
    static func split(_ bytes: UnsafeBufferPointer<UInt8>, by separator: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        guard let first = separator.first else { return [0..<bytes.count] }
        var start = 0
        var i = 0
        let n = bytes.count
        let m = separator.count
        while i + m <= n {
            if bytes[i] == first && (m == 1 || bytes[i..<(i + m)].elementsEqual(separator)) {
                ranges.append(start..<i)
                i += m
                start = i
            } else {
                i += 1
            }
        }
        ranges.append(start..<n)
        return ranges
    }

    /// Decodes Zeek's escapes: `\xHH` for a byte, `\\` for a backslash.
    static func unescape(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(UInt8(ascii: "\\")) else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\\"), i + 3 < bytes.count, bytes[i + 1] == UInt8(ascii: "x"),
               let high = hexValue(bytes[i + 2]), let low = hexValue(bytes[i + 3]) {
                out.append(high << 4 | low)
                i += 4
            } else if c == UInt8(ascii: "\\"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\\") {
                out.append(c)
                i += 2
            } else {
                out.append(c)
                i += 1
            }
        }
        return out
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// A field decoded to text: nil when it is not valid UTF-8 or holds NUL once unescaped.
    private static func decoded(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String? {
        let bytes = unescape(Array(line[range]))
        guard !bytes.contains(0), UTF8Check.isValid(bytes) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func text(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: line[range], as: UTF8.self)
    }

    /// `ts` (seconds with a fraction, "1571217665.186356") rounded down, without going
    /// through Double, whose rounding could carry a fraction of .9999999 up a second.
    static func unixSeconds(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int64? {
        var i = range.lowerBound
        var negative = false
        if i < range.upperBound, line[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        var value: Int64 = 0
        let digitsStart = i
        while i < range.upperBound, line[i] >= UInt8(ascii: "0"), line[i] <= UInt8(ascii: "9") {
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = times10.addingReportingOverflow(Int64(line[i] - UInt8(ascii: "0")))
            if o1 || o2 { return nil }
            value = next
            i += 1
        }
        guard i > digitsStart else { return nil }
        var fractional = false
        if i < range.upperBound, line[i] == UInt8(ascii: ".") {
            i += 1
            while i < range.upperBound, line[i] >= UInt8(ascii: "0"), line[i] <= UInt8(ascii: "9") {
                if line[i] != UInt8(ascii: "0") { fractional = true }
                i += 1
            }
        }
        guard i == range.upperBound else { return nil }
        return negative ? -value - (fractional ? 1 : 0) : value
    }
}
