/// Why a whole URLhaus download was refused (single bad rows are quarantined instead).
public enum URLhausFeedError: Error, Equatable, CustomStringConvertible {
    /// A commented header names columns but not all that URLhaus rows need.
    case unrecognizedHeader(source: String, line: Int, missing: [String])
    /// Not one line is a URLhaus row and no URLhaus header was seen: likely an error page or a
    /// different file. `firstProblem` tells why the first data line failed.
    case notAFeed(source: String, firstProblem: String)

    /// The error for a person, naming the source and the line when there is one.
    public var description: String {
        switch self {
        case let .unrecognizedHeader(source, line, missing):
            return "\(source):\(line): the header lacks URLhaus column(s) \(missing.joined(separator: ", "))"
        case let .notAFeed(source, firstProblem):
            return "\(source) is not a URLhaus CSV dump: \(firstProblem)"
        }
    }
}
