/// Everything a report shows about a scored test set at one threshold.
public struct ClassificationReport: Sendable, Equatable, Codable {
    /// Threshold used for the decision-based figures.
    public let threshold: Double
    /// The decisions at `threshold`.
    public let confusion: ConfusionMatrix
    /// Area under the ROC curve (ties count half).
    public let rocAUC: Double
    /// Average precision: area under the step PR curve, as scikit-learn computes it.
    public let averagePrecision: Double
    /// Mean negative log-likelihood, probabilities clipped away from 0 and 1.
    public let logLoss: Double

    /// Accuracy at `threshold`.
    public var accuracy: Double { confusion.accuracy }
    /// Precision of the ioc class at `threshold`.
    public var precision: Double { confusion.precision }
    /// Recall of the ioc class at `threshold`.
    public var recall: Double { confusion.recall }
    /// F1 of the ioc class at `threshold`.
    public var f1: Double { confusion.f1 }
}
