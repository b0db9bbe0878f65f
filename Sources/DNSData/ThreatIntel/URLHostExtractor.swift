/// The host part of a URL as a threat feed lists it, for matching against DNS names:
/// lowercased, without scheme, user info, port, path or trailing dots, and an IPv6 literal
/// without its brackets.
public enum URLHostExtractor {
    /// The host of `url`, or nil when there is none (empty, an unclosed IPv6 bracket, or
    /// characters no host can contain). A URL without a scheme (`example.com/a.exe`) is read
    /// as starting with its host.
    public static func host(of url: String) -> String? {
        var rest = Substring(url.trimmingWhitespace)
        if let schemeEnd = rest.range(of: "://"), !rest[..<schemeEnd.lowerBound].contains("/") {
            rest = rest[schemeEnd.upperBound...]
        } else if rest.hasPrefix("//") {
            rest = rest.dropFirst(2)
        }
        // Browsers treat a backslash like a slash in web URLs, and feeds record what was served.
        let authorityEnd = rest.firstIndex(where: { "/?#\\".contains($0) }) ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }

        var host: Substring
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
        } else {
            host = authority.prefix { $0 != ":" }
            while host.hasSuffix(".") { host = host.dropLast() }
        }
        let lowered = host.lowercased()
        guard !lowered.isEmpty, lowered.unicodeScalars.allSatisfy(isHostScalar) else { return nil }
        return lowered
    }

    private static func isHostScalar(_ scalar: Unicode.Scalar) -> Bool {
        if !scalar.isASCII {
            return !scalar.properties.isWhitespace && scalar.properties.generalCategory != .control
        }
        switch scalar {
        case "a"..."z", "0"..."9", "-", ".", "_", ":", "%": return true
        default: return false
        }
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and line ends.
    fileprivate var trimmingWhitespace: SubSequence {
        let start = firstIndex(where: { !$0.isWhitespace }) ?? endIndex
        let end = lastIndex(where: { !$0.isWhitespace }).map(index(after:)) ?? start
        return self[start..<end]
    }
}
