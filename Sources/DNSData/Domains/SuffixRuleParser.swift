/// Reads the rules out of `public_suffix_list.dat`, with tldextract's reading of the format
/// so that both hold the same rule set.
enum SuffixRuleParser {
    /// The rules of each section, as UTF-8 bytes (`co.uk`, `*.ck`, `!www.ck`).
    ///
    /// A rule is a line's text up to its first white space, if it starts with a word
    /// character after any `.`, `*`, `!` (tldextract's `^[.*!]*\w\S*`); comments and blank
    /// or indented lines are not rules. Lines after `===BEGIN PRIVATE DOMAINS===` are
    /// private until `===BEGIN ICANN DOMAINS===`.
    static func parse(_ bytes: [UInt8]) -> (icann: [[UInt8]], private: [[UInt8]]) {
        var icann: [[UInt8]] = []
        var privateRules: [[UInt8]] = []
        var inPrivate = false
        let privateMarker = Array("===BEGIN PRIVATE DOMAINS===".utf8)
        let icannMarker = Array("===BEGIN ICANN DOMAINS===".utf8)
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            if line.starts(with: [UInt8(ascii: "/"), UInt8(ascii: "/")]) {
                if contains(line, privateMarker) { inPrivate = true } else if contains(line, icannMarker) { inPrivate = false }
                continue
            }
            let rule = line.prefix { !isWhitespace($0) }
            guard let first = rule.first(where: { $0 != UInt8(ascii: ".") && $0 != UInt8(ascii: "*") && $0 != UInt8(ascii: "!") }),
                  isWordStart(first) else { continue }
            if inPrivate { privateRules.append(Array(rule)) } else { icann.append(Array(rule)) }
        }
        return (icann, privateRules)
    }

    private static func contains(_ line: ArraySlice<UInt8>, _ marker: [UInt8]) -> Bool {
        guard line.count >= marker.count else { return false }
        var start = line.startIndex
        while start + marker.count <= line.endIndex {
            if line[start..<(start + marker.count)].elementsEqual(marker) { return true }
            start += 1
        }
        return false
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || (byte >= 0x09 && byte <= 0x0D)
    }

    /// `\w` for a rule's first character: an ASCII letter, digit or `_`, or any non-ASCII
    /// character (the list's Unicode rules all start with a letter).
    private static func isWordStart(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), 0x80...:
            return true
        default:
            return false
        }
    }
}
