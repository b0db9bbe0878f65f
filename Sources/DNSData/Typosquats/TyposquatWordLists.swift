extension TyposquatGenerator {
    /// Dictionary words from a word-list file's text (one a line), filtered as dnstwist's command
    /// line filters `--dictionary`: lowercased, kept only if they could be a DNS label (letters,
    /// digits, hyphens, at most 63 long, or an `xn--` label), without repeats, sorted.
    /// `/usr/share/dict/words` (Debian's `wamerican`) works as is.
    public static func wordList(from text: String) -> [String] {
        filteredLines(of: text) { word in
            let scalars = Array(word.unicodeScalars)
            if word.hasPrefix("xn--") {
                return (3...59).contains(scalars.count - 4) && scalars.dropFirst(4).allSatisfy(isLDH)
            }
            return (1...63).contains(scalars.count) && scalars.allSatisfy(isLDH)
        }
    }

    /// TLDs from a file's text (one a line), filtered as dnstwist's `--tld` option filters them:
    /// lowercased, one or two labels of 2 to 63 letters, digits or hyphens, without repeats, sorted.
    public static func tldList(from text: String) -> [String] {
        filteredLines(of: text) { tld in
            let labels = tld.split(separator: ".", omittingEmptySubsequences: false)
            return (1...2).contains(labels.count) && labels.allSatisfy { label in
                (2...63).contains(label.unicodeScalars.count) && label.unicodeScalars.allSatisfy(isLDH)
            }
        }
    }

    private static func filteredLines(of text: String, keeping isKept: (String) -> Bool) -> [String] {
        let lines = text.lowercased().split(whereSeparator: \.isNewline).map(String.init)
        return Set(lines.filter(isKept)).sorted()
    }

    private static func isLDH(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "-"
    }
}
