/// The internationalised-name handling tldextract applies before matching suffix rules: the
/// Public Suffix List spells its rules in Unicode (`公司.cn`), while DNS logs carry A-labels
/// (`xn--55qx5d.cn`), so a label is lower-cased and, if it is an A-label, decoded.
///
/// This is the subset of IDNA that matching needs, not a full UTS 46 implementation: no
/// compatibility mapping, normalisation or validity checks beyond what is described here.
public enum IDNA {
    /// The ACE prefix of an A-label.
    public static let acePrefix = "xn--"

    /// The form of one label that suffix rules are matched against: lower case, and an
    /// A-label decoded to Unicode. An A-label that does not decode (nothing after `xn--`, a
    /// trailing `-`, bad Punycode) stays as its lower-case ASCII, as with the `idna` package.
    public static func matchingForm(ofLabel label: String) -> String {
        var label = label
        return label.withUTF8 { bytes in
            if let key = matchingKey(forLabel: bytes) {
                return String(decoding: key, as: UTF8.self)
            }
            return String(decoding: bytes.map(SuffixTrie.fold), as: UTF8.self)
        }
    }

    /// The host with every label in matching form (see ``matchingForm(ofLabel:)``), so
    /// `WWW.XN--55QX5D.cn` becomes `www.公司.cn`.
    public static func toUnicode(_ host: String) -> String {
        host.split(separator: ".", omittingEmptySubsequences: false)
            .map { matchingForm(ofLabel: String($0)) }
            .joined(separator: ".")
    }

    /// The host with every label lower-cased and each non-ASCII label Punycode-encoded
    /// behind `xn--`, so `www.公司.CN` becomes `www.xn--55qx5d.cn`; `nil` if a label cannot
    /// be encoded. Labels are not validated.
    public static func toASCII(_ host: String) -> String? {
        var labels: [String] = []
        for label in host.split(separator: ".", omittingEmptySubsequences: false) {
            let lowered = label.lowercased()
            if lowered.utf8.allSatisfy({ $0 < 0x80 }) {
                labels.append(lowered)
            } else {
                guard let encoded = Punycode.encode(lowered) else { return nil }
                labels.append(acePrefix + encoded)
            }
        }
        return labels.joined(separator: ".")
    }

    /// The UTF-8 bytes to look a label up by when they differ from the label's own bytes
    /// with ASCII letters folded; `nil` when folding is all it takes (every ASCII label but
    /// a decodable A-label), which keeps the common case free of allocations.
    static func matchingKey(forLabel label: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var isASCII = true
        for byte in label where byte >= 0x80 {
            isASCII = false
            break
        }
        guard isASCII else {
            // Unicode lower-casing, as Python's str.lower(); such a label starting with
            // `xn--` is not a valid A-label, so it is matched as it is.
            return Array(String(decoding: label, as: UTF8.self).lowercased().utf8)
        }
        guard hasACEPrefix(label) else { return nil }
        let body = UnsafeBufferPointer(rebasing: label[4...])
        guard let last = body.last, last != UInt8(ascii: "-") else { return nil }
        // Punycode reads digits in either case, and its basic code points are the label's
        // own: lower-casing them first gives what decoding the lower-cased label gives.
        let lowered = body.map(SuffixTrie.fold)
        var scratch: [UInt32] = []
        let decoded = lowered.withUnsafeBufferPointer { Punycode.decode($0, into: &scratch) }
        guard decoded else { return nil }
        var key: [UInt8] = []
        key.reserveCapacity(scratch.count * 3)
        for value in scratch { appendUTF8(value, to: &key) }
        return key
    }

    /// Appends a Unicode scalar value (never a surrogate: Punycode.decode rejects those).
    @inline(__always)
    static func appendUTF8(_ value: UInt32, to bytes: inout [UInt8]) {
        switch value {
        case ..<0x80:
            bytes.append(UInt8(value))
        case ..<0x800:
            bytes.append(UInt8(0xC0 | (value >> 6)))
            bytes.append(UInt8(0x80 | (value & 0x3F)))
        case ..<0x10000:
            bytes.append(UInt8(0xE0 | (value >> 12)))
            bytes.append(UInt8(0x80 | ((value >> 6) & 0x3F)))
            bytes.append(UInt8(0x80 | (value & 0x3F)))
        default:
            bytes.append(UInt8(0xF0 | ((value >> 18) & 0x07)))
            bytes.append(UInt8(0x80 | ((value >> 12) & 0x3F)))
            bytes.append(UInt8(0x80 | ((value >> 6) & 0x3F)))
            bytes.append(UInt8(0x80 | (value & 0x3F)))
        }
    }

    /// Whether the label starts with `xn--`, in any case.
    @inline(__always)
    static func hasACEPrefix(_ label: UnsafeBufferPointer<UInt8>) -> Bool {
        label.count >= 4
            && SuffixTrie.fold(label[0]) == UInt8(ascii: "x") && SuffixTrie.fold(label[1]) == UInt8(ascii: "n")
            && label[2] == UInt8(ascii: "-") && label[3] == UInt8(ascii: "-")
    }
}
