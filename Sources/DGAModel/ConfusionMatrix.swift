/// Counts of a binary decision against the truth, ioc being the positive class.
public struct ConfusionMatrix: Sendable, Equatable, Codable {
    /// ioc rows flagged as ioc.
    public var truePositives: Int
    /// Legit rows flagged as ioc.
    public var falsePositives: Int
    /// Legit rows passed as legit.
    public var trueNegatives: Int
    /// ioc rows passed as legit.
    public var falseNegatives: Int

    /// A matrix from its four counts.
    public init(truePositives: Int, falsePositives: Int, trueNegatives: Int, falseNegatives: Int) {
        self.truePositives = truePositives
        self.falsePositives = falsePositives
        self.trueNegatives = trueNegatives
        self.falseNegatives = falseNegatives
    }

    /// All rows.
    public var total: Int { truePositives + falsePositives + trueNegatives + falseNegatives }
    /// Share of rows decided right.
    public var accuracy: Double { ratio(truePositives + trueNegatives, total) }
    /// Share of flagged rows that are ioc (0 when nothing is flagged, as scikit-learn).
    public var precision: Double { ratio(truePositives, truePositives + falsePositives) }
    /// Share of ioc rows flagged (true positive rate).
    public var recall: Double { ratio(truePositives, truePositives + falseNegatives) }
    /// Share of legit rows flagged.
    public var falsePositiveRate: Double { ratio(falsePositives, falsePositives + trueNegatives) }
    /// Harmonic mean of precision and recall (0 when both are 0).
    public var f1: Double { ratio(2 * truePositives, 2 * truePositives + falsePositives + falseNegatives) }

    private func ratio(_ numerator: Int, _ denominator: Int) -> Double {
        denominator == 0 ? 0 : Double(numerator) / Double(denominator)
    }
}
