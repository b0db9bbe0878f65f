import Foundation

/// The best trials scored on the held-out test set, for the experiment report: ROC and
/// precision-recall curves, the confusion matrix at each trial's own threshold, and the
/// feature importance of the best model.
///
/// Written by the AutoML step as the artifact `test_evaluation.json` of its (parent) run;
/// `runme report` reads it. The file is the contract between the two: keys are the property
/// names below, curves are thinned to at most `maximumCurvePoints` points each (enough for a chart, and
/// the file stays small however large the test set).
public struct TestSetEvaluation: Sendable, Codable, Equatable {
    /// One trial's figures on the test set.
    public struct TrialEvaluation: Sendable, Codable, Equatable {
        /// The trial's number (1, 2, … in finishing order).
        public let trial: Int
        /// The trial's tracking run.
        public let runID: String
        /// The model family.
        public let algorithm: String
        /// The primary metric on validation, which ranked it.
        public let validationScore: Double
        /// The threshold chosen on validation, at which the confusion matrix is counted.
        public let threshold: Double
        /// Decisions on the test set at `threshold`.
        public let confusion: ConfusionMatrix
        /// Accuracy, precision, recall, f1, roc_auc, pr_auc, log_loss on the test set.
        public let metrics: [String: Double]
        /// ROC points (false positive rate, true positive rate), from (0, 0) to (1, 1).
        public let roc: [[Double]]
        /// Precision-recall points (recall, precision), recall rising.
        public let precisionRecall: [[Double]]
    }

    /// One feature's importance in the best model.
    public struct Importance: Sendable, Codable, Equatable {
        /// The feature's name (`ngram_bucket_<n>` for a hashed n-gram column).
        public let feature: String
        /// The score of `importanceType`.
        public let score: Double
    }

    /// The metric the trials were ranked by, on validation.
    public let primaryMetric: String
    /// Rows in the test set.
    public let testRows: Int
    /// ioc rows in the test set.
    public let testPositives: Int
    /// The best trials, best first.
    public let trials: [TrialEvaluation]
    /// Run id of the best trial, whose importance follows.
    public let bestRunID: String
    /// `gain` for tree models, `weight` for the linear model.
    public let importanceType: String
    /// The best model's most important features, highest first (at most `maximumFeatures`).
    public let featureImportance: [Importance]

    /// The artifact's path in the AutoML run.
    public static let artifactPath = "test_evaluation.json"
    /// Curves are thinned to this many points.
    public static let maximumCurvePoints = 400
    /// Features kept in `featureImportance`.
    public static let maximumFeatures = 30

    /// Scores the `count` best trials of `result` on the test split of `data`.
    public static func evaluate(_ result: AutoMLResult, data: AutoMLDataset, metric: PrimaryMetric, count: Int = 3) throws -> TestSetEvaluation {
        let ranked = result.trials.filter { $0.outcome != nil && $0.primaryValue != nil }.sorted { lhs, rhs in
            metric.isBetter(lhs.primaryValue ?? .nan, than: rhs.primaryValue ?? .nan)
        }
        let labels = data.truth.test
        var trials: [TrialEvaluation] = []
        for trial in ranked.prefix(count) {
            guard let outcome = trial.outcome, let score = trial.primaryValue else { continue }
            let probabilities = try TrialScoring.probabilities(modelJSON: outcome.modelJSON, algorithm: outcome.configuration.algorithm,
                                                               data: data, part: .test)
            let report = try ClassificationMetrics.report(labels: labels, probabilities: probabilities, threshold: outcome.validation.threshold)
            let roc = try ClassificationMetrics.rocCurve(labels: labels, scores: probabilities)
                .map { [$0.falsePositiveRate, $0.truePositiveRate] }
            let pr = try ClassificationMetrics.precisionRecallCurve(labels: labels, scores: probabilities)
                .map { [$0.recall, $0.precision] }
            trials.append(TrialEvaluation(trial: trial.number, runID: trial.runID ?? "", algorithm: outcome.configuration.algorithm.rawValue,
                                          validationScore: score, threshold: report.threshold, confusion: report.confusion,
                                          metrics: report.namedMetrics, roc: thin(roc), precisionRecall: thin(pr)))
        }
        let best = result.best
        var importance: [Importance] = []
        var importanceType = ImportanceType.gain
        if let outcome = best.outcome {
            let booster = try Booster(modelData: outcome.modelJSON, nthread: 1)
            let algorithm = outcome.configuration.algorithm
            importanceType = algorithm == .linear ? .weight : .gain
            let dense = Featurizer.names(of: AutoMLDataset.denseFeatures)
            let buckets = data.featurizer.configuration.hashing.bucketCount
            importance = try booster.featureImportance(importanceType).map { item in
                Importance(feature: featureName(item.feature, hashed: algorithm.usesHashedNGrams, buckets: buckets, dense: dense), score: item.score)
            }
            // A linear model's weights are signed; rank by size so strong negative evidence shows too.
            importance.sort { abs($0.score) != abs($1.score) ? abs($0.score) > abs($1.score) : $0.feature < $1.feature }
            importance = Array(importance.prefix(maximumFeatures))
        }
        return TestSetEvaluation(primaryMetric: metric.rawValue, testRows: labels.count, testPositives: labels.filter { $0 }.count,
                                 trials: trials, bestRunID: best.runID ?? "", importanceType: importanceType.rawValue,
                                 featureImportance: importance)
    }

    /// The JSON written as the artifact.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }

    /// Reads the artifact back.
    public static func decode(_ data: Data) throws -> TestSetEvaluation {
        let decoder = JSONDecoder()
        return try decoder.decode(TestSetEvaluation.self, from: data)
    }

    /// Keeps the first and last points and evenly spaced ones between, so the curve's shape
    /// survives at a fixed size.
    static func thin(_ points: [[Double]]) -> [[Double]] {
        guard points.count > maximumCurvePoints else { return points }
        let step = Double(points.count - 1) / Double(maximumCurvePoints - 1)
        return (0..<maximumCurvePoints).map { points[min(points.count - 1, Int((Double($0) * step).rounded()))] }
    }

    /// Models on hashed rows name columns `f<n>`: the dense features come after the n-gram
    /// buckets in those rows, so a column past the buckets maps back to its dense name.
    private static func featureName(_ name: String, hashed: Bool, buckets: Int, dense: [String]) -> String {
        guard hashed, name.hasPrefix("f"), let column = Int(name.dropFirst()) else { return name }
        if column >= buckets, column - buckets < dense.count { return dense[column - buckets] }
        return "ngram_bucket_\(column)"
    }
}
