/// Why a brand domain cannot be permuted.
public enum TyposquatInputError: Error, Equatable, CustomStringConvertible {
    /// Nothing but whitespace (or a lone dot) was given.
    case empty
    /// The text is not a host name dnstwist would accept; `reason` says which rule it broke.
    case notADomain(String, reason: String)

    /// The error for a person, with an example of what is expected.
    public var description: String {
        switch self {
        case .empty:
            return "no domain given: expected a domain such as google.com"
        case let .notADomain(text, reason):
            return "\"\(text)\" is not a domain: \(reason)"
        }
    }
}
