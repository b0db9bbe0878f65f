import Foundation

/// Turns a candidate domain into the ASCII form dnstwist reports, or rejects it as dnstwist
/// does: IDNA 2008 encoding (the Python `idna` package's rules) followed by dnstwist's
/// host-name pattern. A candidate that fails either is dropped, never reported.
///
/// The per-character IDNA 2008 test is exact for ASCII and for every glyph the fuzzers bring in
/// (all are PVALID); for other characters, which only caller-supplied dictionary words, TLDs or
/// A-labels can bring, it approximates RFC 5892 (letters, digits and marks that are stable
/// under NFKC case folding), without the contextual and bidirectional rules.
enum TyposquatIDNA {
    /// Label separators the `idna` package accepts besides the full stop.
    private static let dots: Set<Unicode.Scalar> = [".", "\u{3002}", "\u{FF0E}", "\u{FF61}"]
    private static let hyphen: Unicode.Scalar = "-"

    /// The ASCII (A-label) form of `domain`, or nil if dnstwist would discard it.
    static func asciiDomain(_ domain: [Unicode.Scalar]) -> String? {
        // An empty label (including the one after a trailing dot) fails either IDNA or the
        // host-name pattern, so any empty label rejects the candidate.
        var encoded: [String] = []
        for label in domain.split(omittingEmptySubsequences: false, whereSeparator: { dots.contains($0) }) {
            guard let ascii = asciiLabel(Array(label)) else { return nil }
            encoded.append(ascii)
        }
        let result = encoded.joined(separator: ".")
        return isHostName(result) ? result : nil
    }

    /// One label as IDNA's `alabel` produces it: ASCII labels keep their case (only their
    /// lowercase form is checked), others become `xn--` plus Punycode.
    static func asciiLabel(_ label: [Unicode.Scalar]) -> String? {
        guard !label.isEmpty else { return nil }
        if label.allSatisfy(\.isASCII) {
            let lower = label.map { ("A"..."Z").contains($0) ? Unicode.Scalar($0.value + 32) ?? $0 : $0 }
            guard isValidASCIILabel(lower), label.count <= 63 else { return nil }
            return String(String.UnicodeScalarView(label))
        }
        guard isValidULabel(label), let punycode = Punycode.encode(String(String.UnicodeScalarView(label))) else { return nil }
        let aLabel = "xn--" + punycode
        return aLabel.utf8.count <= 63 ? aLabel : nil
    }

    /// An all-ASCII label as IDNA's `ulabel` checks it (already lowercased): an `xn--` label
    /// must decode to a valid U-label, any other must be letters, digits and inner hyphens.
    private static func isValidASCIILabel(_ lower: [Unicode.Scalar]) -> Bool {
        let prefix: [Unicode.Scalar] = ["x", "n", "-", "-"]
        guard lower.starts(with: prefix) else { return isValidULabel(lower) }
        let body = lower.dropFirst(prefix.count)
        guard let last = body.last, last != hyphen,
              let decoded = Punycode.decode(String(String.UnicodeScalarView(body))).map({ Array($0.unicodeScalars) })
        else { return false }
        return isValidULabel(decoded)
    }

    /// RFC 5891's label tests as the `idna` package runs them: NFC, no hyphen at either end
    /// or in the third and fourth places, no leading combining mark, only permitted code points.
    static func isValidULabel(_ label: [Unicode.Scalar]) -> Bool {
        guard let first = label.first, let last = label.last else { return false }
        if first == hyphen || last == hyphen { return false }
        if label.count >= 4, label[2] == hyphen, label[3] == hyphen { return false }
        switch first.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return false
        default: break
        }
        guard label.allSatisfy(isPermitted) else { return false }
        if label.allSatisfy(\.isASCII) { return true }
        let text = String(String.UnicodeScalarView(label))
        return Array(text.precomposedStringWithCanonicalMapping.unicodeScalars) == label
    }

    private static func isPermitted(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            switch scalar {
            case "a"..."z", "0"..."9", "-": return true
            default: return false
            }
        }
        let properties = scalar.properties
        if properties.changesWhenNFKCCaseFolded { return false }
        switch properties.generalCategory {
        case .lowercaseLetter, .uppercaseLetter, .otherLetter, .modifierLetter, .decimalNumber,
             .nonspacingMark, .spacingMark:
            return true
        default:
            return false
        }
    }

    /// dnstwist's host-name pattern: 4 to 253 characters, two or more dot-separated labels of
    /// letters, digits and hyphens, 1 to 63 long and not starting or ending with a hyphen,
    /// except that the last label is 2 to 63 long with hyphens allowed anywhere.
    static func isHostName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (4...253).contains(bytes.count) else { return false }
        let labels = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard labels.count >= 2, let top = labels.last else { return false }
        let isLDH: (UInt8) -> Bool = { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
                return true
            default:
                return false
            }
        }
        for label in labels.dropLast() {
            guard (1...63).contains(label.count), label.allSatisfy(isLDH),
                  label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-")
            else { return false }
        }
        return (2...63).contains(top.count) && top.allSatisfy(isLDH)
    }
}
