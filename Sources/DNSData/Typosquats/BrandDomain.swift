import Foundation

/// A monitored brand domain, validated and split the way dnstwist splits it when no Public
/// Suffix List package is installed: the last label is the TLD, or the last two when the
/// second-to-last is a common second-level name (`co.uk`, `com.au`); the label before it is
/// the one the fuzzers work on; anything before that is a subdomain kept as is.
struct BrandDomain: Sendable, Equatable {
    /// The validated ASCII domain, lowercase.
    var ascii: String
    var subdomain: String
    /// The label the fuzzers permute, decoded from Punycode when it is an A-label.
    var label: [Unicode.Scalar]
    var tld: String

    /// Second-level names that dnstwist treats as part of a two-label TLD.
    private static let secondLevelNames: Set<Substring> = ["org", "com", "net", "gov", "edu", "co", "mil", "nom", "ac", "info", "biz", "ne"]

    init(validating text: String) throws(TyposquatInputError) {
        var trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        // Passive DNS writes names fully qualified; the root dot is not part of the brand.
        if trimmed.hasSuffix(".") { trimmed.removeLast() }
        guard !trimmed.isEmpty else { throw .empty }
        let lower = trimmed.lowercased()
        guard let ascii = TyposquatIDNA.asciiDomain(Array(lower.unicodeScalars)) else {
            throw .notADomain(text, reason: Self.diagnose(lower))
        }
        self.ascii = ascii

        let (subdomain, label, tld) = Self.split(ascii)
        self.subdomain = subdomain
        self.tld = tld
        // The fuzzers see an internationalized label as its characters, not its A-label.
        if label.hasPrefix("xn--"), let decoded = Punycode.decode(String(label.dropFirst(4))).map({ Array($0.unicodeScalars) }) {
            self.label = decoded
        } else {
            self.label = Array(label.unicodeScalars)
        }
    }

    /// The domain rebuilt around another label or TLD, skipping empty parts.
    func assembled(label: [Unicode.Scalar]? = nil, tld: String? = nil) -> [Unicode.Scalar] {
        let parts: [[Unicode.Scalar]] = [Array(subdomain.unicodeScalars), label ?? self.label, Array((tld ?? self.tld).unicodeScalars)]
        return Array(parts.filter { !$0.isEmpty }.joined(separator: ["."]))
    }

    private static func split(_ domain: String) -> (subdomain: String, label: String, tld: String) {
        // At most the last four labels matter; the rest stay together in the subdomain.
        var parts = domain.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count > 4 {
            let head = parts[..<(parts.count - 3)].joined(separator: ".")
            parts = [Substring(head)] + parts[(parts.count - 3)...]
        }
        switch parts.count {
        case 0, 1:
            return ("", parts.first.map(String.init) ?? "", "")
        case 2:
            return ("", String(parts[0]), String(parts[1]))
        default:
            let count = parts.count
            if secondLevelNames.contains(parts[count - 2]) {
                return (parts[..<(count - 3)].joined(separator: "."), String(parts[count - 3]), parts[(count - 2)...].joined(separator: "."))
            }
            return (parts[..<(count - 2)].joined(separator: "."), String(parts[count - 2]), String(parts[count - 1]))
        }
    }

    /// A reason a person can act on, for text the IDNA and host-name checks refused.
    private static func diagnose(_ text: String) -> String {
        if text.contains("/") || text.contains(":") || text.contains("@") {
            return "give a bare host name, not a URL"
        }
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        if labels.count < 2 { return "a domain needs at least two dot-separated labels (e.g. example.com)" }
        if labels.contains(where: \.isEmpty) { return "it has an empty label (two dots in a row or a leading dot)" }
        if text.unicodeScalars.count > 253 { return "it is longer than 253 characters" }
        if labels.contains(where: { $0.unicodeScalars.count > 63 }) { return "a label is longer than 63 characters" }
        if labels.contains(where: { $0.hasPrefix("-") || $0.hasSuffix("-") }) { return "a label starts or ends with a hyphen" }
        if let last = labels.last, last.unicodeScalars.count < 2 { return "the top-level domain must be at least two characters" }
        if text.unicodeScalars.contains(where: { $0.isASCII && !(("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == ".") }) {
            return "only letters, digits, hyphens and dots are allowed"
        }
        return "not a valid IDNA host name (hyphens in the third and fourth places, a bad xn-- label, or a disallowed character)"
    }
}
