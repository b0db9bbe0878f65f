/// Writing JSON string literals into byte buffers.
enum JSONText {
    /// Appends `bytes` (valid UTF-8) as a quoted JSON string, escaping what JSON requires:
    /// the quote, the backslash and control characters. Everything else is copied as is,
    /// so the output is canonical: the same value always gives the same text.
    @inline(__always)
    static func appendQuoted(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout ByteBuffer) {
        out.reserve(bytes.count + 2)
        out.append(UInt8(ascii: "\""))
        if let base = bytes.baseAddress {
            var runStart = 0
            for i in 0..<bytes.count {
                let c = base[i]
                if c >= 0x20 && c != UInt8(ascii: "\"") && c != UInt8(ascii: "\\") { continue }
                out.append(base + runStart, count: i - runStart)
                appendEscape(c, to: &out)
                runStart = i + 1
            }
            out.append(base + runStart, count: bytes.count - runStart)
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func appendEscape(_ c: UInt8, to out: inout ByteBuffer) {
        switch c {
        case UInt8(ascii: "\""): out.append("\\\"" as StaticString)
        case UInt8(ascii: "\\"): out.append("\\\\" as StaticString)
        case 0x0A: out.append("\\n" as StaticString)
        case 0x0D: out.append("\\r" as StaticString)
        case 0x09: out.append("\\t" as StaticString)
        case 0x08: out.append("\\b" as StaticString)
        case 0x0C: out.append("\\f" as StaticString)
        default:
            let hex: StaticString = "0123456789abcdef"
            out.append("\\u00" as StaticString)
            out.append(hex.utf8Start[Int(c >> 4)])
            out.append(hex.utf8Start[Int(c & 0x0F)])
        }
    }

    /// A Swift string as a JSON string literal.
    static func quoted(_ value: String) -> String {
        var out = ByteBuffer(capacity: value.utf8.count + 8)
        var value = value
        value.withUTF8 { appendQuoted($0, to: &out) }
        return out.string(at: 0, length: out.count)
    }
}
