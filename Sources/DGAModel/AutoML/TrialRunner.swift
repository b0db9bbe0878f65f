import Foundation

/// What one finished trial produced.
public struct TrialOutcome: Sendable {
    /// What was trained.
    public let configuration: TrialConfiguration
    /// The trained model as XGBoost JSON (after early stopping: up to the best round).
    public let modelJSON: Data
    /// Train and validation metrics after every round.
    public let history: [RoundEvaluation]
    /// Validation figures at `report.threshold`, chosen on validation by the primary metric's
    /// `thresholdCriterion` (the best F1 unless the metric is accuracy).
    public let validation: ClassificationReport
    /// Rounds trained (including those after the best).
    public let roundsTrained: Int
    /// The round kept (0-based).
    public let bestIteration: Int
    /// When the trial started.
    public let startTime: Date
    /// Seconds to build its matrices, train and evaluate: the trial's cost.
    public let durationSeconds: Double
    /// The model's most important inputs, highest first: average gain for tree models, the
    /// absolute weight for the linear model (hashed n-gram buckets named `ngram_bucket_N`).
    public var importance: [FeatureImportance] = []
}

/// Trains and evaluates one configuration; all XGBoost objects live inside the call, so trials
/// can run on several threads at once.
public enum TrialRunner {
    /// Rounds without a better validation log loss before a boosted trial stops.
    public static let patience = 10

    /// Runs `configuration` on `data` with one XGBoost thread, at most `roundLimit` rounds;
    /// boosted models stop early on validation log loss unless `earlyStopping` is false; the
    /// decision threshold is chosen on validation by `threshold`.
    public static func run(_ configuration: TrialConfiguration, data: AutoMLDataset, seed: UInt64,
                           roundLimit: Int? = nil, nthread: Int = 1, earlyStopping: Bool = true,
                           threshold criterion: ThresholdCriterion = .maximumF1) throws -> TrialOutcome {
        let start = Date()
        let clock = ContinuousClock()
        let began = clock.now
        let parameters = configuration.boosterParameters(classRatio: data.scalePosWeight, nthread: nthread, seed: seed)
        let training: DMatrix
        let validation: DMatrix
        let trainLabels = data.truth.train.map { Float($0 ? 1 : 0) }
        let validationLabels = data.truth.validation.map { Float($0 ? 1 : 0) }
        if configuration.algorithm.usesHashedNGrams {
            training = try DMatrix(data.hashed.train, labels: trainLabels, weights: data.trainingWeights, nthread: nthread)
            validation = try DMatrix(data.hashed.validation, labels: validationLabels, nthread: nthread)
        } else {
            let names = Featurizer.names(of: AutoMLDataset.denseFeatures)
            training = try DMatrix(data.dense.train, labels: trainLabels, weights: data.trainingWeights, featureNames: names, nthread: nthread)
            validation = try DMatrix(data.dense.validation, labels: validationLabels, featureNames: names, nthread: nthread)
        }
        let rounds = max(1, min(configuration.rounds, roundLimit ?? Int.max))
        let early = configuration.algorithm == .randomForest || !earlyStopping ? nil : EarlyStopping(patience: patience, metric: .logloss)
        let result = try Booster.train(parameters: parameters, training: training, validation: validation,
                                       rounds: rounds, earlyStopping: early)
        let probabilities = try result.booster.predict(validation).map(Double.init)
        let threshold = try ClassificationMetrics.chooseThreshold(labels: data.truth.validation, scores: probabilities,
                                                                  criterion: criterion)?.threshold ?? 0.5
        let report = try ClassificationMetrics.report(labels: data.truth.validation, probabilities: probabilities, threshold: threshold)
        let modelJSON = try result.booster.modelData(format: .json)
        let elapsed = clock.now - began
        var outcome = TrialOutcome(configuration: configuration, modelJSON: modelJSON, history: result.history, validation: report,
                                   roundsTrained: result.roundsTrained, bestIteration: result.bestIteration, startTime: start,
                                   durationSeconds: elapsed / .seconds(1))
        outcome.importance = (try? importance(of: result.booster, algorithm: configuration.algorithm,
                                              hashBuckets: data.featurizer.configuration.hashing.bucketCount)) ?? []
        return outcome
    }

    /// The top inputs of a trained model (see `TrialOutcome.importance`).
    static func importance(of booster: Booster, algorithm: AutoMLAlgorithm, hashBuckets: Int, limit: Int = 25) throws -> [FeatureImportance] {
        let dense = Featurizer.names(of: AutoMLDataset.denseFeatures)
        guard algorithm.usesHashedNGrams else {
            return Array(try booster.featureImportance(.gain, featureNames: dense).prefix(limit))
        }
        let names = (0..<hashBuckets).map { "ngram_bucket_\($0)" } + dense
        let weights = try booster.featureImportance(.weight, featureNames: names)
        return Array(weights.sorted { abs($0.score) > abs($1.score) }.prefix(limit))
    }
}
