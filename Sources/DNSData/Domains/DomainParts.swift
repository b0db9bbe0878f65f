/// A host split at its public suffix, field for field tldextract's `ExtractResult`:
/// `forums.news.cnn.com` is subdomain `forums.news`, domain `cnn`, suffix `com`.
///
/// The parts keep the case and the encoding (Unicode or `xn--`) the input had, as tldextract
/// does; lower-case them, or pass them through ``IDNA``, to compare.
///
/// The value holds the text it was cut from (usually the caller's own string, shared, not
/// copied) and where each part lies in it; a part becomes a `String` when it is read. That
/// keeps ``PublicSuffixList/extract(_:)`` free of allocations, and a caller that needs only
/// the domain pays for only the domain.
public struct DomainParts: Sendable, Hashable, CustomStringConvertible {
    /// UTF-8 byte range inside `text`; a cut always falls on an ASCII byte boundary.
    struct Cut: Hashable {
        var start: Int32
        var end: Int32

        static let empty = Cut(start: 0, end: 0)

        init(start: Int32, end: Int32) {
            self.start = start
            self.end = end
        }

        init(_ range: Range<Int>, shiftedBy shift: Int = 0) {
            start = Int32(truncatingIfNeeded: range.lowerBound + shift)
            end = Int32(truncatingIfNeeded: range.upperBound + shift)
        }
    }

    let text: String
    let subdomainCut: Cut
    let domainCut: Cut
    let suffixCut: Cut
    let registrySuffixCut: Cut

    /// The suffix comes from the list's private section (only ever with private domains on).
    public let isPrivate: Bool
    /// The host is an IPv4 or IPv6 address literal.
    public let isIPAddress: Bool

    init(text: String, subdomain: Cut, domain: Cut, suffix: Cut, registrySuffix: Cut, isPrivate: Bool, isIPAddress: Bool) {
        self.text = text
        subdomainCut = subdomain
        domainCut = domain
        suffixCut = suffix
        registrySuffixCut = registrySuffix
        self.isPrivate = isPrivate
        self.isIPAddress = isIPAddress
    }

    /// Parts given as strings (`registrySuffix` defaults to `suffix`).
    public init(subdomain: String, domain: String, suffix: String, isPrivate: Bool = false,
                registrySuffix: String? = nil, isIPAddress: Bool = false) {
        let registry = registrySuffix ?? suffix
        var offset = 0
        func cut(_ part: String) -> Cut {
            defer { offset += part.utf8.count }
            return Cut(offset..<(offset + part.utf8.count))
        }
        self.init(text: subdomain + domain + suffix + registry, subdomain: cut(subdomain), domain: cut(domain),
                  suffix: cut(suffix), registrySuffix: cut(registry), isPrivate: isPrivate, isIPAddress: isIPAddress)
    }

    /// Every label left of ``domain``, joined with dots; empty if there are none.
    public var subdomain: String { slice(subdomainCut) }

    /// The label just left of the public suffix (the accelerator's `domain_extract`, the
    /// part the DGA model scores). When no suffix is known: the last label. For an IP
    /// address: the whole address (bracketed IPv6 keeps its brackets, as in tldextract).
    public var domain: String { slice(domainCut) }

    /// The public suffix (`com`, `co.uk`, and with private domains on `ddns.net`); empty when
    /// no rule matched or for an IP address.
    public var suffix: String { slice(suffixCut) }

    /// The suffix as if private domains were off: the ICANN suffix under which the private
    /// one sits (`net` for `ddns.net`), or the suffix itself when it is not private.
    public var registrySuffix: String { slice(registrySuffixCut) }

    /// `domain.suffix` when both are set, else empty: tldextract's
    /// `top_domain_under_public_suffix` (formerly `registered_domain`).
    public var registeredDomain: String {
        guard domainCut.start < domainCut.end, suffixCut.start < suffixCut.end else { return "" }
        // Domain and suffix are adjacent in the text when they were cut from one host.
        if suffixCut.start == domainCut.end + 1 { return slice(Cut(start: domainCut.start, end: suffixCut.end)) }
        return domain + "." + suffix
    }

    /// The whole name when it has a suffix and a domain (or a private suffix), else empty:
    /// tldextract's `fqdn`.
    public var fqdn: String {
        guard suffixCut.start < suffixCut.end, domainCut.start < domainCut.end || isPrivate else { return "" }
        return [subdomain, domain, suffix].filter { !$0.isEmpty }.joined(separator: ".")
    }

    public var description: String {
        "DomainParts(subdomain: \"\(subdomain)\", domain: \"\(domain)\", suffix: \"\(suffix)\", isPrivate: \(isPrivate))"
    }

    public static func == (lhs: DomainParts, rhs: DomainParts) -> Bool {
        lhs.isPrivate == rhs.isPrivate && lhs.isIPAddress == rhs.isIPAddress
            && lhs.subdomain == rhs.subdomain && lhs.domain == rhs.domain && lhs.suffix == rhs.suffix
            && lhs.registrySuffix == rhs.registrySuffix
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(subdomain)
        hasher.combine(domain)
        hasher.combine(suffix)
        hasher.combine(registrySuffix)
        hasher.combine(isPrivate)
        hasher.combine(isIPAddress)
    }

    private func slice(_ cut: Cut) -> String {
        // Offsets are 32-bit to keep the value small; a cut that does not fit the text (only
        // possible for an input over 2 GiB) gives an empty part rather than a trap.
        guard cut.start >= 0, cut.start < cut.end else { return "" }
        let range = Int(cut.start)..<Int(cut.end)
        let part = text.utf8.withContiguousStorageIfAvailable { bytes -> String in
            guard range.upperBound <= bytes.count else { return "" }
            // Measured faster than String(decoding:) for the short parts hosts have.
            return String(unsafeUninitializedCapacity: range.count) { buffer in
                _ = buffer.initialize(from: bytes[range])
                return range.count
            }
        }
        if let part { return part }
        let utf8 = text.utf8
        return String(decoding: utf8.dropFirst(range.lowerBound).prefix(range.count), as: UTF8.self)
    }
}
