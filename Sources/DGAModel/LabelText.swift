/// How the featurizer reads a domain label, so that fitting and scoring see the same bytes.
///
/// ASCII is lowercased (as scikit-learn's `CountVectorizer` does); surrounding whitespace and
/// dots are dropped; every non-ASCII character becomes one `*` byte. Labels reach the featurizer
/// as the ETL extracted them, and internationalised names arrive as `xn--` punycode, so the
/// placeholder only matters for stray input and accented dictionary words.
enum LabelText {
    static let placeholder = UInt8(ascii: "*")

    /// Runs `body` with the normalised bytes of `label` (one byte per character).
    @inline(__always)
    static func withNormalizedBytes<R>(_ label: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let utf8 = label.utf8
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(1, utf8.count)) { buffer in
            var count = 0
            var ascii = true
            for byte in utf8 {
                if byte >= 0x80 { ascii = false; break }
                buffer[count] = lower(byte)
                count += 1
            }
            if !ascii {
                count = 0
                for scalar in label.unicodeScalars {
                    buffer[count] = scalar.isASCII ? lower(UInt8(truncatingIfNeeded: scalar.value)) : placeholder
                    count += 1
                }
            }
            let kept = trimmed(UnsafeBufferPointer(start: buffer.baseAddress, count: count))
            return body(UnsafeBufferPointer(rebasing: buffer[kept]))
        }
    }

    /// The part of normalised `bytes` the featurizer reads: surrounding whitespace and dots dropped.
    @inline(__always)
    static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>) -> Range<Int> {
        var start = 0
        var end = bytes.count
        while start < end && isTrimmed(bytes[start]) { start += 1 }
        while end > start && isTrimmed(bytes[end - 1]) { end -= 1 }
        return start..<end
    }

    /// The normalised label as a string.
    static func normalized(_ label: String) -> String {
        withNormalizedBytes(label) { String(decoding: $0, as: UTF8.self) }
    }

    @inline(__always)
    static func lower(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }

    @inline(__always)
    private static func isTrimmed(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x2E
    }
}
