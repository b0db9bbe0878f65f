/// Why metrics could not be computed.
public enum MetricsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Labels and scores of different lengths.
    case lengthMismatch(labels: Int, scores: Int)
    /// No rows at all.
    case empty
    /// Only one class present: ROC and PR curves need both.
    case singleClass(positives: Int, negatives: Int)
    /// A NaN score, which has no place in a ranking.
    case nanScore(index: Int)

    public var description: String {
        switch self {
        case let .lengthMismatch(labels, scores): return "\(labels) labels but \(scores) scores"
        case .empty: return "no rows to evaluate"
        case let .singleClass(positives, negatives):
            return "both classes are needed (\(positives) ioc, \(negatives) legit rows)"
        case let .nanScore(index): return "score \(index) is NaN"
        }
    }
}
