/// Finding the host in what logs and feeds call a domain: a bare name (`ns1.asdklgb.cf.`), a
/// name with stray spaces (the DGA list), or a whole URL (URLhaus), read the way tldextract's
/// `lenient_netloc` reads them so that both split the same strings alike.
///
/// Everything works on UTF-8 bytes: every delimiter is ASCII, and UTF-8 never puts an ASCII
/// byte inside a multi-byte character, so byte positions are safe cut points.
public enum HostNormalization {
    /// Where the host is inside the input's bytes.
    struct HostSpan {
        var range: Range<Int>
        /// An unbracketed IPv6 address (tldextract would cut it at the first colon).
        var isBareIPv6 = false
        /// Some byte is non-ASCII: ideographic dots may need replacing, labels Unicode folding.
        var hasNonASCII = false
    }

    /// The host of a URL-like string, with the case and encoding it had: scheme, user info,
    /// port, path, query and fragment removed, surrounding white space and trailing root
    /// dots (`.`, `。`, `．`, `｡`) removed, ideographic full stops turned into `.`.
    ///
    /// `http://user@WWW.Example.com:8080/path?q` gives `WWW.Example.com`; `[::1]:53` gives
    /// `[::1]`; an unbracketed IPv6 address is kept whole.
    public static func host(of input: String) -> String {
        var input = input
        return input.withUTF8 { bytes in
            let span = locateHost(in: bytes)
            let host = UnsafeBufferPointer(rebasing: bytes[span.range])
            guard span.hasNonASCII && !span.isBareIPv6 else { return String(decoding: host, as: UTF8.self) }
            return String(decoding: replacingIdeographicDots(host), as: UTF8.self)
        }
    }

    /// tldextract's `lenient_netloc` on bytes, plus one deliberate difference: an
    /// unbracketed IPv6 address is the host, not the text before its first colon.
    static func locateHost(in bytes: UnsafeBufferPointer<UInt8>) -> HostSpan {
        // The common case, a bare name (passive DNS ends it with a root dot): only trailing
        // dots to cut, and one pass to make sure nothing else needs looking at.
        if !mayNeedCutting(bytes) {
            var end = bytes.count
            while end > 0 && bytes[end - 1] == UInt8(ascii: ".") { end -= 1 }
            return HostSpan(range: 0..<end)
        }

        var start = schemeEnd(in: bytes)
        var end = bytes.count
        // The authority ends at the first `/`, `?` or `#`.
        for index in start..<end {
            let byte = bytes[index]
            if byte == UInt8(ascii: "/") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#") {
                end = index
                break
            }
        }
        // User info ends at the last `@`.
        var index = end
        while index > start {
            index -= 1
            if bytes[index] == UInt8(ascii: "@") {
                start = index + 1
                break
            }
        }
        // A bracketed literal is kept as it is, brackets included, up to the first `]`.
        if start < end && bytes[start] == UInt8(ascii: "[") {
            if let close = bytes[start..<end].firstIndex(of: UInt8(ascii: "]")) {
                return HostSpan(range: start..<(close + 1), hasNonASCII: containsNonASCII(bytes, start..<(close + 1)))
            }
        }
        // An unbracketed IPv6 address has at least two colons; anything else is host:port.
        var colons = 0
        var firstColon = end
        for index in start..<end where bytes[index] == UInt8(ascii: ":") {
            if colons == 0 { firstColon = index }
            colons += 1
        }
        if colons >= 2 {
            let trimmed = trimmingWhitespace(bytes, start..<end)
            if IPLiteral.isIPv6(UnsafeBufferPointer(rebasing: bytes[trimmed])) {
                return HostSpan(range: trimmed, isBareIPv6: true)
            }
        }
        var host = trimmingWhitespace(bytes, start..<firstColon)
        while host.upperBound > host.lowerBound {
            let length = rootDotLength(bytes, endingAt: host.upperBound, from: host.lowerBound)
            if length == 0 { break }
            host = host.lowerBound..<(host.upperBound - length)
        }
        return HostSpan(range: host, hasNonASCII: containsNonASCII(bytes, host))
    }

    /// Whether some byte could make the input more than a bare name: a control character
    /// or space, a non-ASCII byte, or one of `/ ? # @ [ :`. A table lookup per byte with no
    /// branch: cheaper than comparing, and this runs on every input.
    static func mayNeedCutting(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        cutByteTable.withUnsafeBufferPointer { table in
            var found: UInt8 = 0
            for byte in bytes { found |= table[Int(byte)] }
            return found != 0
        }
    }

    /// 1 for the bytes ``mayNeedCutting(_:)`` looks for, 0 for the rest.
    static let cutByteTable: [UInt8] = (0...255).map { byte in
        byte <= 0x20 || byte >= 0x80 || "/?#@[:".utf8.contains(UInt8(byte)) ? 1 : 0
    }

    /// tldextract's `_schemeless_url`: where the text after `scheme://` (or a leading `//`)
    /// starts, or 0 when what precedes the first `//` is not a scheme.
    static func schemeEnd(in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var slashes = -1
        if bytes.count >= 2 {
            for index in 0..<(bytes.count - 1) where bytes[index] == UInt8(ascii: "/") && bytes[index + 1] == UInt8(ascii: "/") {
                slashes = index
                break
            }
        }
        if slashes == 0 { return 2 }
        guard slashes >= 2, bytes[slashes - 1] == UInt8(ascii: ":") else { return 0 }
        for index in 0..<(slashes - 1) where !isSchemeByte(bytes[index]) { return 0 }
        return slashes + 2
    }

    /// Python's `urllib.parse.scheme_chars`: letters, digits, `+`, `-`, `.`.
    @inline(__always)
    static func isSchemeByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."):
            return true
        default:
            return false
        }
    }

    static func containsNonASCII(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        for index in range where bytes[index] >= 0x80 { return true }
        return false
    }

    /// The range without leading and trailing white space as Python's `str.strip()` sees it
    /// (Unicode white space, not only ASCII), since tldextract strips with it.
    static func trimmingWhitespace(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper {
            let length = whitespaceLength(bytes, startingAt: lower, before: upper)
            if length == 0 { break }
            lower += length
        }
        while upper > lower {
            let length = whitespaceLength(bytes, endingAt: upper, from: lower)
            if length == 0 { break }
            upper -= length
        }
        return lower..<upper
    }

    /// The byte length of the white-space character starting at `index`, or 0.
    static func whitespaceLength(_ bytes: UnsafeBufferPointer<UInt8>, startingAt index: Int, before limit: Int) -> Int {
        let first = bytes[index]
        if first < 0x80 { return isASCIIWhitespace(first) ? 1 : 0 }
        for length in 2...3 where index + length <= limit {
            if isWhitespaceSequence(bytes, index..<(index + length)) { return length }
        }
        return 0
    }

    /// The byte length of the white-space character ending just before `end`, or 0.
    static func whitespaceLength(_ bytes: UnsafeBufferPointer<UInt8>, endingAt end: Int, from limit: Int) -> Int {
        let last = bytes[end - 1]
        if last < 0x80 { return isASCIIWhitespace(last) ? 1 : 0 }
        for length in 2...3 where end - length >= limit {
            if isWhitespaceSequence(bytes, (end - length)..<end) { return length }
        }
        return 0
    }

    @inline(__always)
    static func isASCIIWhitespace(_ byte: UInt8) -> Bool {
        (byte >= 0x09 && byte <= 0x0D) || (byte >= 0x1C && byte <= 0x20)
    }

    /// Python's non-ASCII white space: U+0085, U+00A0, U+1680, U+2000–U+200A, U+2028,
    /// U+2029, U+202F, U+205F, U+3000.
    static func isWhitespaceSequence(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        let b = bytes[range]
        let b0 = b[range.lowerBound]
        let b1 = b[range.lowerBound + 1]
        if range.count == 2 { return b0 == 0xC2 && (b1 == 0x85 || b1 == 0xA0) }
        let b2 = b[range.lowerBound + 2]
        switch (b0, b1) {
        case (0xE1, 0x9A): return b2 == 0x80
        case (0xE2, 0x80): return (0x80...0x8A).contains(b2) || b2 == 0xA8 || b2 == 0xA9 || b2 == 0xAF
        case (0xE2, 0x81): return b2 == 0x9F
        case (0xE3, 0x80): return b2 == 0x80
        default: return false
        }
    }

    /// The byte length of a label separator ending just before `end` (`.`, or U+3002,
    /// U+FF0E, U+FF61, which IDNA treats as dots), or 0.
    static func rootDotLength(_ bytes: UnsafeBufferPointer<UInt8>, endingAt end: Int, from limit: Int) -> Int {
        if bytes[end - 1] == UInt8(ascii: ".") { return 1 }
        guard end - 3 >= limit else { return 0 }
        return ideographicDotLength(bytes, at: end - 3) == 3 ? 3 : 0
    }

    /// 3 if an ideographic full stop (U+3002, U+FF0E, U+FF61) starts at `index`, else 0.
    @inline(__always)
    static func ideographicDotLength(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int {
        guard index + 3 <= bytes.count else { return 0 }
        switch (bytes[index], bytes[index + 1], bytes[index + 2]) {
        case (0xE3, 0x80, 0x82), (0xEF, 0xBC, 0x8E), (0xEF, 0xBD, 0xA1): return 3
        default: return 0
        }
    }

    /// A copy of the host with every ideographic full stop turned into `.`, as tldextract
    /// does before splitting labels.
    static func replacingIdeographicDots(_ host: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(host.count)
        var index = 0
        while index < host.count {
            if host[index] >= 0xE3 && ideographicDotLength(host, at: index) == 3 {
                result.append(UInt8(ascii: "."))
                index += 3
            } else {
                result.append(host[index])
                index += 1
            }
        }
        return result
    }
}
