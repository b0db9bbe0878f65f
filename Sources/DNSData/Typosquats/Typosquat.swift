/// One lookalike of a monitored brand domain: which fuzzer made it and the domain itself
/// (internationalized names in their ASCII `xn--` form, as dnstwist prints them).
/// A row of `silver_twisted_domain_brand` is the brand plus one of these.
public struct Typosquat: Sendable, Equatable, Hashable {
    /// The dnstwist fuzzer name (`addition`, `homoglyph`, `tld-swap`, …).
    public var fuzzer: String
    /// The lookalike domain, lowercase ASCII unless a dictionary word or TLD brought case in.
    public var domain: String

    /// A lookalike `domain` made by `fuzzer`.
    public init(fuzzer: String, domain: String) {
        self.fuzzer = fuzzer
        self.domain = domain
    }
}
