/// Stop training when the validation metric has not improved for `patience` rounds, and keep
/// the best round's model.
public struct EarlyStopping: Sendable, Equatable, Codable {
    /// Rounds without improvement before stopping (at least 1).
    public var patience: Int
    /// The metric watched on the validation set.
    public var metric: EvalMetric
    /// How much better a round must be to count as an improvement.
    public var minimumDelta: Double

    /// Early stopping after `patience` rounds without a better `metric`.
    public init(patience: Int, metric: EvalMetric = .logloss, minimumDelta: Double = 0) {
        self.patience = patience
        self.metric = metric
        self.minimumDelta = minimumDelta
    }

    /// Whether `candidate` beats `best` for this metric.
    func improves(_ candidate: Double, on best: Double?) -> Bool {
        guard let best else { return candidate.isFinite }
        return metric.higherIsBetter ? candidate > best + minimumDelta : candidate < best - minimumDelta
    }
}
