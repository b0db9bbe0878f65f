import Glibc

/// Where and why a line is not valid JSON, or is JSON that breaks a reader's schema.
struct JSONSyntaxError: Error {
    /// 0-based byte offset in the line.
    var offset: Int
    var message: String
    /// False when the JSON is valid but a field has the wrong type or value.
    var isSyntax = true

    /// A schema violation (wrong type, missing or out-of-range field) in valid JSON.
    static func schema(_ message: String) -> JSONSyntaxError {
        JSONSyntaxError(offset: 0, message: message, isSyntax: false)
    }

    /// The reason recorded in quarantine.
    var reason: String { isSyntax ? "invalid JSON at byte \(offset + 1): \(message)" : message }
}

/// A position in one line of JSON, with the byte-level primitives the readers share:
/// whitespace, strings (escapes, `\u` escapes and surrogate pairs), numbers, and skipping
/// any value. Works on raw bytes so that the loading hot path makes no `String`s.
struct JSONCursor {
    let start: UnsafePointer<UInt8>
    var p: UnsafePointer<UInt8>
    let end: UnsafePointer<UInt8>

    /// Nesting deeper than this is refused: values are skipped by recursion, and a line
    /// of ten million `[` must not overflow the stack.
    static let maxDepth = 64

    /// `bytes` must not be empty (the loader skips blank lines before parsing).
    init(_ bytes: UnsafeBufferPointer<UInt8>, base: UnsafePointer<UInt8>) {
        start = base
        p = base
        end = base + bytes.count
    }

    var offset: Int { p - start }

    @inline(__always)
    var atEnd: Bool { p >= end }

    @inline(__always)
    func fail(_ message: String) -> JSONSyntaxError {
        JSONSyntaxError(offset: p - start, message: message)
    }

    /// The current byte described for an error message.
    var found: String {
        guard p < end else { return "the end of the line" }
        let c = p.pointee
        if c >= 0x20 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
        return "byte 0x" + String(c, radix: 16, uppercase: true)
    }

    /// The type of the value at the cursor, for error messages.
    var valueTypeName: String {
        switch peek() {
        case UInt8(ascii: "\""): return "a string"
        case UInt8(ascii: "{"): return "an object"
        case UInt8(ascii: "["): return "an array"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return "a boolean"
        case UInt8(ascii: "n"): return "null"
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return "a number"
        default: return found
        }
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while p < end {
            let c = p.pointee
            guard c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D else { return }
            p += 1
        }
    }

    @inline(__always)
    func peek() -> UInt8 { p < end ? p.pointee : 0 }

    @inline(__always)
    mutating func expect(_ byte: UInt8, _ what: StaticString) throws(JSONSyntaxError) {
        guard p < end, p.pointee == byte else { throw fail("expected \(what), found \(found)") }
        p += 1
    }

    // MARK: Strings

    /// Decodes the string at the cursor (on its opening quote) and appends its UTF-8 to `out`.
    /// `\u0000` is refused unless `allowNUL`: a NUL in stored text breaks C readers.
    @inline(__always)
    mutating func readString(into out: inout ByteBuffer, allowNUL: Bool = false) throws(JSONSyntaxError) {
        guard p < end, p.pointee == UInt8(ascii: "\"") else { throw fail("expected a string, found \(found)") }
        p += 1
        var segment = p
        while p < end {
            p = Self.firstSpecial(from: p, end: end)
            guard p < end else { break }
            let c = p.pointee
            if c == UInt8(ascii: "\"") {
                out.append(segment, count: p - segment)
                p += 1
                return
            }
            if c == UInt8(ascii: "\\") {
                out.append(segment, count: p - segment)
                Self.appendUTF8(try readEscape(allowNUL: allowNUL), to: &out)
                segment = p
                continue
            }
            if c < 0x20 { throw fail("control character 0x\(String(c, radix: 16)) inside a string") }
            p += 1
        }
        throw fail("unterminated string")
    }

    /// The first byte from `p` that ends a run of plain string content: a quote, a
    /// backslash or a control character; `end` when there is none.
    ///
    /// Eight bytes at a time (the classic "has zero byte" bit trick): the values of these
    /// logs are mostly longer than a word. A flag can be set wrongly only in bytes after a
    /// true one, and the lowest flag is the one taken.
    @inline(__always)
    static func firstSpecial(from start: UnsafePointer<UInt8>, end: UnsafePointer<UInt8>) -> UnsafePointer<UInt8> {
        var p = start
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while end - p >= 8 {
            let word = UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
            let quote = word ^ (ones &* 0x22)
            let backslash = word ^ (ones &* 0x5C)
            let flags = ((quote &- ones) & ~quote | (backslash &- ones) & ~backslash | (word &- ones &* 0x20) & ~word) & highs
            if flags != 0 { return p + flags.trailingZeroBitCount / 8 }
            p += 8
        }
        while p < end {
            let c = p.pointee
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") || c < 0x20 { return p }
            p += 1
        }
        return end
    }

    /// The raw bytes between the quotes of the string at the cursor, without decoding,
    /// and whether it holds escapes (then ``readString(into:allowNUL:)`` is needed for its value).
    @inline(__always)
    mutating func scanString() throws(JSONSyntaxError) -> (start: UnsafePointer<UInt8>, count: Int, escaped: Bool) {
        guard p < end, p.pointee == UInt8(ascii: "\"") else { throw fail("expected a string, found \(found)") }
        p += 1
        let first = p
        var escaped = false
        while p < end {
            p = Self.firstSpecial(from: p, end: end)
            guard p < end else { break }
            let c = p.pointee
            if c == UInt8(ascii: "\"") {
                p += 1
                return (first, p - 1 - first, escaped)
            }
            if c == UInt8(ascii: "\\") {
                escaped = true
                _ = try readEscape(allowNUL: true)
                continue
            }
            if c < 0x20 { throw fail("control character 0x\(String(c, radix: 16)) inside a string") }
            p += 1
        }
        throw fail("unterminated string")
    }

    /// Decodes one escape (cursor on the backslash) to the scalar it stands for.
    private mutating func readEscape(allowNUL: Bool) throws(JSONSyntaxError) -> UInt32 {
        p += 1
        guard p < end else { throw fail("unterminated string") }
        let c = p.pointee
        p += 1
        switch c {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return UInt32(c)
        case UInt8(ascii: "b"): return 0x08
        case UInt8(ascii: "f"): return 0x0C
        case UInt8(ascii: "n"): return 0x0A
        case UInt8(ascii: "r"): return 0x0D
        case UInt8(ascii: "t"): return 0x09
        case UInt8(ascii: "u"):
            var scalar = try readHex4()
            if scalar >= 0xD800 && scalar <= 0xDBFF {
                guard end - p >= 6, p[0] == UInt8(ascii: "\\"), p[1] == UInt8(ascii: "u") else {
                    throw fail("\\u escape with a lone high surrogate")
                }
                p += 2
                let low = try readHex4()
                guard low >= 0xDC00 && low <= 0xDFFF else { throw fail("\\u escape with a lone high surrogate") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
                throw fail("\\u escape with a lone low surrogate")
            }
            if scalar == 0 && !allowNUL { throw fail("\\u0000 (NUL) inside a string") }
            return scalar
        default:
            p -= 1
            throw fail("invalid escape \\\(found)")
        }
    }

    private mutating func readHex4() throws(JSONSyntaxError) -> UInt32 {
        guard end - p >= 4 else { throw fail("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = p.pointee
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw fail("invalid hex digit in \\u escape: \(found)")
            }
            value = value << 4 | digit
            p += 1
        }
        return value
    }

    static func appendUTF8(_ scalar: UInt32, to out: inout ByteBuffer) {
        switch scalar {
        case 0..<0x80:
            out.append(UInt8(scalar))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (scalar >> 6)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | (scalar >> 12)))
            out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        default:
            out.append(UInt8(0xF0 | (scalar >> 18)))
            out.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }

    // MARK: Numbers

    /// A JSON number as read: its text, and its value when it is an integer that fits Int64.
    struct Number {
        var text: UnsafeBufferPointer<UInt8>
        /// The exact value, when the text is an integer (no fraction or exponent) within Int64.
        var exactInteger: Int64?
        var isNegative: Bool
        /// True when the text has a fraction or an exponent.
        var hasFraction: Bool

        /// The value rounded down to an integer, or nil when it is out of Int64's range.
        var floorInt64: Int64? {
            if let exactInteger { return exactInteger }
            guard hasFraction, let value = doubleValue else { return nil }
            let floored = value.rounded(.down)
            // Int64(exactly:) is nil for values at or beyond ±2^63.
            return Int64(exactly: floored)
        }

        /// The value clamped to Int64's range (rounded down when fractional).
        var saturatingInt64: Int64 {
            if let value = floorInt64 { return value }
            return isNegative ? Int64.min : Int64.max
        }

        var doubleValue: Double? {
            // strtod needs a NUL-terminated copy; JSON numbers in these logs are short.
            guard text.count < 64, let base = text.baseAddress else { return nil }
            return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer -> Double? in
                guard let out = buffer.baseAddress else { return nil }
                base.withMemoryRebound(to: CChar.self, capacity: text.count) { out.update(from: $0, count: text.count) }
                out[text.count] = 0
                let value = strtod(out, nil)
                return value.isFinite ? value : nil
            }
        }
    }

    /// Reads the number at the cursor, checking JSON's number grammar.
    @inline(__always)
    mutating func readNumber() throws(JSONSyntaxError) -> Number {
        let first = p
        var negative = false
        if p < end && p.pointee == UInt8(ascii: "-") {
            negative = true
            p += 1
        }
        guard p < end, p.pointee >= UInt8(ascii: "0"), p.pointee <= UInt8(ascii: "9") else {
            throw fail("expected a number, found \(found)")
        }
        var value: Int64 = 0
        var overflow = false
        let leadingZero = p.pointee == UInt8(ascii: "0")
        let digitsStart = p
        // Eighteen digits cannot overflow: accumulate unchecked, and check only longer runs.
        var fast: UInt64 = 0
        while p < end {
            let digit = p.pointee &- UInt8(ascii: "0")
            if digit > 9 { break }
            fast = fast &* 10 &+ UInt64(digit)
            p += 1
        }
        let digitCount = p - digitsStart
        if digitCount <= 18 {
            value = -Int64(fast)
        } else {
            var q = digitsStart
            while q < p {
                let digit = Int64(q.pointee - UInt8(ascii: "0"))
                // Accumulating negatively reaches Int64.min, whose magnitude Int64 cannot hold.
                let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                let (next, o2) = times10.subtractingReportingOverflow(digit)
                if o1 || o2 { overflow = true } else { value = next }
                q += 1
            }
        }
        if leadingZero && digitCount > 1 { throw fail("number with a leading zero") }
        var hasFraction = false
        if p < end && p.pointee == UInt8(ascii: ".") {
            hasFraction = true
            p += 1
            guard p < end, p.pointee >= UInt8(ascii: "0"), p.pointee <= UInt8(ascii: "9") else { throw fail("expected digits after '.'") }
            while p < end, p.pointee >= UInt8(ascii: "0"), p.pointee <= UInt8(ascii: "9") { p += 1 }
        }
        if p < end && (p.pointee == UInt8(ascii: "e") || p.pointee == UInt8(ascii: "E")) {
            hasFraction = true
            p += 1
            if p < end && (p.pointee == UInt8(ascii: "+") || p.pointee == UInt8(ascii: "-")) { p += 1 }
            guard p < end, p.pointee >= UInt8(ascii: "0"), p.pointee <= UInt8(ascii: "9") else { throw fail("expected digits in the exponent") }
            while p < end, p.pointee >= UInt8(ascii: "0"), p.pointee <= UInt8(ascii: "9") { p += 1 }
        }
        var exact: Int64?
        if !overflow && !hasFraction {
            if negative {
                exact = value
            } else if value != Int64.min {
                exact = -value
            }
        }
        return Number(text: UnsafeBufferPointer(start: first, count: p - first), exactInteger: exact, isNegative: negative, hasFraction: hasFraction)
    }

    // MARK: Skipping

    /// Skips any value, checking that it is well-formed JSON.
    mutating func skipValue(depth: Int = 0) throws(JSONSyntaxError) {
        guard p < end else { throw fail("expected a value, found the end of the line") }
        switch p.pointee {
        case UInt8(ascii: "\""):
            _ = try scanString()
        case UInt8(ascii: "{"):
            guard depth < Self.maxDepth else { throw fail("nested deeper than \(Self.maxDepth) levels") }
            p += 1
            skipWhitespace()
            if peek() == UInt8(ascii: "}") { p += 1; return }
            while true {
                skipWhitespace()
                _ = try scanString()
                skipWhitespace()
                try expect(UInt8(ascii: ":"), "':'")
                skipWhitespace()
                try skipValue(depth: depth + 1)
                skipWhitespace()
                if peek() == UInt8(ascii: ",") { p += 1; continue }
                try expect(UInt8(ascii: "}"), "',' or '}'")
                return
            }
        case UInt8(ascii: "["):
            guard depth < Self.maxDepth else { throw fail("nested deeper than \(Self.maxDepth) levels") }
            p += 1
            skipWhitespace()
            if peek() == UInt8(ascii: "]") { p += 1; return }
            while true {
                skipWhitespace()
                try skipValue(depth: depth + 1)
                skipWhitespace()
                if peek() == UInt8(ascii: ",") { p += 1; continue }
                try expect(UInt8(ascii: "]"), "',' or ']'")
                return
            }
        case UInt8(ascii: "t"): try skipLiteral("true")
        case UInt8(ascii: "f"): try skipLiteral("false")
        case UInt8(ascii: "n"): try skipLiteral("null")
        default:
            _ = try readNumber()
        }
    }

    /// Skips `literal` (true, false, null) at the cursor.
    mutating func skipLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
        let n = literal.utf8CodeUnitCount
        guard end - p >= n, memcmp(p, literal.utf8Start, n) == 0 else { throw fail("expected a value, found \(found)") }
        p += n
    }

    /// True when the cursor is on `literal`, which it then skips.
    mutating func skipIfLiteral(_ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard end - p >= n, memcmp(p, literal.utf8Start, n) == 0 else { return false }
        p += n
        return true
    }
}
