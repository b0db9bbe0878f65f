/// How to pick the score above which a domain is flagged.
public enum ThresholdCriterion: Sendable, Equatable, Codable {
    /// The threshold with the best F1 of the ioc class.
    case maximumF1
    /// The threshold with the largest recall minus false-positive rate (Youden's J).
    case youden
    /// The threshold with the most correct decisions.
    case maximumAccuracy
    /// The lowest threshold whose false-positive rate stays at or below the given rate: the
    /// most ioc caught for an alert budget on legit traffic.
    case falsePositiveRate(Double)
    /// The lowest threshold whose precision is at least the given value.
    case precision(Double)
}

/// A chosen threshold and what it gives on the data it was chosen on.
public struct ThresholdChoice: Sendable, Equatable, Codable {
    /// Flag rows scored at or above this.
    public let threshold: Double
    /// The decisions at that threshold.
    public let confusion: ConfusionMatrix
}

extension ClassificationMetrics {
    /// Picks a threshold among the observed scores by `criterion`; nil when no threshold meets
    /// a `falsePositiveRate` or `precision` target.
    ///
    /// Choose on validation data, then report on test data: a threshold chosen on the test set
    /// flatters it.
    public static func chooseThreshold(labels: [Bool], scores: [Double], criterion: ThresholdCriterion) throws -> ThresholdChoice? {
        let (positives, negatives) = try check(labels, scores, needBothClasses: true)
        var best: (value: Double, step: Step)?
        for step in cumulativeSteps(labels, scores) {
            let matrix = confusion(step, positives: positives, negatives: negatives)
            let value: Double?
            switch criterion {
            case .maximumF1: value = matrix.f1
            case .youden: value = matrix.recall - matrix.falsePositiveRate
            case .maximumAccuracy: value = matrix.accuracy
            // Steps go down in threshold, so the last one meeting the target has the most recall.
            case let .falsePositiveRate(limit): value = matrix.falsePositiveRate <= limit ? matrix.recall : nil
            case let .precision(target): value = matrix.precision >= target ? matrix.recall : nil
            }
            guard let value else { continue }
            if best == nil || value > (best?.value ?? -.infinity) { best = (value, step) }
        }
        guard let best else { return nil }
        return ThresholdChoice(threshold: best.step.threshold, confusion: confusion(best.step, positives: positives, negatives: negatives))
    }

    private static func confusion(_ step: Step, positives: Int, negatives: Int) -> ConfusionMatrix {
        ConfusionMatrix(truePositives: step.truePositives, falsePositives: step.falsePositives,
                        trueNegatives: negatives - step.falsePositives, falseNegatives: positives - step.truePositives)
    }
}
