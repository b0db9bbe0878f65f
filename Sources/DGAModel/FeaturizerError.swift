/// Why a featurizer could not be built, read or used.
public enum FeaturizerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A setting out of range (n-gram lengths, frequencies, bucket counts).
    case invalidConfiguration(String)
    /// A reference list (popular labels, dictionary) that yields nothing to learn from.
    case emptyReference(String)
    /// A saved featurizer whose tables do not hold together.
    case invalidReference(String)
    /// A saved featurizer of another format or version than this code computes.
    case unsupportedVersion(found: Int, supported: Int)
    /// A file that is not a featurizer at all.
    case notAFeaturizer(String)
    /// A reference file that could not be read.
    case unreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidConfiguration(detail): return "invalid featurizer configuration: \(detail)"
        case let .emptyReference(detail): return "empty reference data: \(detail)"
        case let .invalidReference(detail): return "corrupt featurizer tables: \(detail)"
        case let .unsupportedVersion(found, supported):
            return "featurizer version \(found) cannot be read by this build, which computes version \(supported); refit the featurizer or use the matching runme"
        case let .notAFeaturizer(detail): return "not a DGA featurizer file: \(detail)"
        case let .unreadable(path, reason): return "cannot read \(path): \(reason)"
        }
    }
}
