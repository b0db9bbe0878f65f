/// The validation metric the AutoML search ranks trials by.
///
/// `f1`, `precision` and `accuracy` depend on a threshold: they are computed at the threshold
/// that maximises F1 on the validation set (the same threshold the model ships with).
/// `roc_auc`, `pr_auc` and `log_loss` do not use a threshold.
public enum PrimaryMetric: String, Sendable, Codable, CaseIterable {
    /// F1 of the ioc class (the default).
    case f1
    /// Area under the ROC curve.
    case rocAUC = "roc_auc"
    /// Average precision (area under the precision-recall curve).
    case prAUC = "pr_auc"
    /// Log loss of the probabilities (lower is better).
    case logLoss = "log_loss"
    /// Precision of the ioc class.
    case precision
    /// Share of rows decided right.
    case accuracy

    /// Whether the metric depends on the decision threshold.
    public var usesThreshold: Bool { self == .f1 || self == .precision || self == .accuracy }

    /// Whether larger values are better (all but `log_loss`).
    public var higherIsBetter: Bool { self != .logLoss }

    /// How a trial's decision threshold is chosen on validation: the best accuracy for
    /// `accuracy`, the best F1 otherwise (ranking metrics do not depend on the threshold, and
    /// the threshold with the best precision is the top score, which flags almost nothing).
    public var thresholdCriterion: ThresholdCriterion {
        self == .accuracy ? .maximumAccuracy : .maximumF1
    }

    /// The metric's value in a report.
    public func value(in report: ClassificationReport) -> Double {
        switch self {
        case .f1: return report.f1
        case .rocAUC: return report.rocAUC
        case .prAUC: return report.averagePrecision
        case .logLoss: return report.logLoss
        case .precision: return report.precision
        case .accuracy: return report.accuracy
        }
    }

    /// The metric's value as an error, 0 at best: the loss itself, or 1 minus a score.
    public func error(_ value: Double) -> Double { higherIsBetter ? 1 - value : value }

    /// Whether `candidate` is strictly better than `incumbent`.
    public func isBetter(_ candidate: Double, than incumbent: Double) -> Bool {
        guard candidate.isFinite else { return false }
        guard incumbent.isFinite else { return true }
        return higherIsBetter ? candidate > incumbent : candidate < incumbent
    }
}

extension ClassificationReport {
    /// The report's figures under the names trials and runs log them with.
    public var namedMetrics: [String: Double] {
        ["accuracy": accuracy, "precision": precision, "recall": recall, "f1": f1,
         "roc_auc": rocAUC, "pr_auc": averagePrecision, "log_loss": logLoss, "threshold": threshold]
    }
}
