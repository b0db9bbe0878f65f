import Foundation

/// The Public Suffix List, for splitting hosts into subdomain, domain and suffix the way
/// the accelerator does with tldextract (`domain_extract` is ``DomainParts/domain``).
///
/// Load it once and share it: it is immutable, `Sendable`, and ``extract(_:)`` allocates
/// nothing but the result's strings for ASCII hosts, so it suits per-record use on the
/// ingest path.
///
/// ```swift
/// let psl = try PublicSuffixList()
/// psl.extract("ns1.asdklgb.cf.").registeredDomain   // "asdklgb.cf"
/// psl.extract("abc123.ddns.net").domain             // "abc123"
/// ```
///
/// Results agree with tldextract 5 (`include_psl_private_domains` set as here) on every
/// name of the sample data; the test suite checks that against tldextract itself. On
/// purpose they differ in one way: an unbracketed IPv6 address (`2001:db8::1`) is an
/// address here, where tldextract reads it as host and port and keeps `2001`.
public struct PublicSuffixList: Sendable {
    /// Where the Debian package `publicsuffix` installs the list.
    public static let debianPath = "/usr/share/publicsuffix/public_suffix_list.dat"

    /// Whether rules from the list's PRIVATE section (`ddns.net`, `blogspot.com`,
    /// `s3.amazonaws.com`, …) count as public suffixes: tldextract's
    /// `include_psl_private_domains`.
    ///
    /// On by default here, unlike tldextract, because it detects better: dynamic-DNS and
    /// hosting names are where DGA and throwaway labels live, and those providers are in the
    /// private section. With it on, `abc123.ddns.net` has domain `abc123`, the label the DGA
    /// model must score; with it off the domain is `ddns` and the generated label is hidden
    /// in the subdomain, so every customer of the provider looks like the provider. It also
    /// makes ``DomainParts/registeredDomain`` the customer's name (`abc123.ddns.net`), which
    /// is what a block or a threat-feed match should name. The cost: a host that *is* a
    /// private suffix (`blogspot.com`) has an empty domain, and ``DomainParts/registrySuffix``
    /// still gives the ICANN view when that is wanted.
    public var includePrivateDomains: Bool

    /// Whether to apply the PSL's implicit `*` rule when no rule matches, making the last
    /// label the suffix (`foo.notatld` → domain `foo`, suffix `notatld`).
    ///
    /// Off by default, as in tldextract (the accelerator's behaviour): names without a known
    /// suffix keep their last label as the domain, which is what the DGA model needs for the
    /// many DGA names logged without a TLD (`a17btkyb38gxe41pwd50nxmzjxiwjwdwfrp52`); with the
    /// rule on, such a single label would become the suffix and leave the domain empty.
    public var applyDefaultRule: Bool

    let trie: SuffixTrie

    /// How many rules the ICANN section holds.
    public var icannRuleCount: Int { trie.icannRuleCount }
    /// How many rules the PRIVATE section holds.
    public var privateRuleCount: Int { trie.privateRuleCount }

    /// Why a list could not be loaded.
    public enum LoadError: Error, CustomStringConvertible, Equatable {
        /// The file could not be read.
        case unreadable(path: String, reason: String)
        /// The text held no rule at all (an empty or wrong file).
        case noRules(source: String)

        public var description: String {
            switch self {
            case let .unreadable(path, reason):
                return "cannot read the Public Suffix List at \(path): \(reason) (the Debian package publicsuffix installs it at \(PublicSuffixList.debianPath))"
            case let .noRules(source):
                return "no suffix rules found in \(source): not a Public Suffix List"
            }
        }
    }

    /// Loads the list from a `public_suffix_list.dat` file (by default Debian's).
    public init(path: String = PublicSuffixList.debianPath, includePrivateDomains: Bool = true,
                applyDefaultRule: Bool = false) throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw LoadError.unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
        try self.init(bytes: [UInt8](data), source: path, includePrivateDomains: includePrivateDomains,
                      applyDefaultRule: applyDefaultRule)
    }

    /// Parses the list from its text (the `public_suffix_list.dat` format).
    public init(text: String, includePrivateDomains: Bool = true, applyDefaultRule: Bool = false) throws {
        try self.init(bytes: Array(text.utf8), source: "the given text", includePrivateDomains: includePrivateDomains,
                      applyDefaultRule: applyDefaultRule)
    }

    private init(bytes: [UInt8], source: String, includePrivateDomains: Bool, applyDefaultRule: Bool) throws {
        let rules = SuffixRuleParser.parse(bytes)
        guard !rules.icann.isEmpty || !rules.private.isEmpty else { throw LoadError.noRules(source: source) }
        trie = SuffixTrie(icannRules: rules.icann, privateRules: rules.private)
        self.includePrivateDomains = includePrivateDomains
        self.applyDefaultRule = applyDefaultRule
    }

    /// Splits a host, or the host of a URL, at its public suffix.
    ///
    /// Accepts what logs and feeds hold: `ns1.asdklgb.cf.` (the root dot is dropped),
    /// `WWW.Example.COM` (matched case-insensitively, returned as given), Unicode and
    /// `xn--` names, `http://user@host:8080/path?q`, IP addresses (the domain is the
    /// address, the suffix empty), and anything else without trapping: garbage gives
    /// empty or partial parts.
    public func extract(_ host: String) -> DomainParts {
        extract(host, includePrivateDomains: includePrivateDomains)
    }

    /// ``extract(_:)`` with the private-domain setting chosen for this call.
    public func extract(_ host: String, includePrivateDomains: Bool) -> DomainParts {
        if let parts = host.utf8.withContiguousStorageIfAvailable({ extract(host, bytes: $0, includePrivateDomains) }) {
            return parts
        }
        // A string without contiguous UTF-8 (bridged): cut positions are the same in a copy.
        return Array(host.utf8).withUnsafeBufferPointer { extract(host, bytes: $0, includePrivateDomains) }
    }

    /// The parts cut from `text` itself wherever the host can be (no copy), else from a
    /// copy with ideographic full stops made ASCII.
    @inline(__always)
    private func extract(_ text: String, bytes: UnsafeBufferPointer<UInt8>, _ includePrivateDomains: Bool) -> DomainParts {
        let span = HostNormalization.locateHost(in: bytes)
        let found = UnsafeBufferPointer(rebasing: bytes[span.range])
        if span.isBareIPv6 {
            return HostSplit.ipAddress(found.count).parts(of: text, offset: span.range.lowerBound)
        }
        guard span.hasNonASCII else {
            return trie.split(found, isASCII: true, includePrivateDomains: includePrivateDomains, applyDefaultRule: applyDefaultRule)
                .parts(of: text, offset: span.range.lowerBound)
        }
        let dotted = HostNormalization.replacingIdeographicDots(found)
        let split = dotted.withUnsafeBufferPointer {
            trie.split($0, isASCII: false, includePrivateDomains: includePrivateDomains, applyDefaultRule: applyDefaultRule)
        }
        return split.parts(of: String(decoding: dotted, as: UTF8.self), offset: 0)
    }
}
