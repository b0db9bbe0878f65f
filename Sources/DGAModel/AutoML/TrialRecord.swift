import Foundation

/// A trial as the search saw it: finished with an outcome, or failed with a message.
public struct TrialRecord: Sendable {
    /// 1, 2, 3… in the order trials finished.
    public let number: Int
    /// The trial's tracking run (nil when not tracked).
    public let runID: String?
    /// What was tried.
    public let configuration: TrialConfiguration
    /// The model and its figures; nil when the trial failed.
    public let outcome: TrialOutcome?
    /// Why the trial failed, if it did.
    public let error: String?
    /// The primary metric on validation (nil for a failed trial).
    public let primaryValue: Double?
    /// Seconds from the search's start to this trial's end (nil outside a search).
    public var finishedAfterSeconds: Double? = nil

    /// A trial record (for a trial trained outside a search, as `runme trials retrain` does).
    public init(number: Int, runID: String?, configuration: TrialConfiguration, outcome: TrialOutcome?, error: String?, primaryValue: Double?) {
        self.number = number
        self.runID = runID
        self.configuration = configuration
        self.outcome = outcome
        self.error = error
        self.primaryValue = primaryValue
    }
}

/// The search's result.
public struct AutoMLResult: Sendable {
    /// Every trial, in finishing order.
    public let trials: [TrialRecord]
    /// The trial with the best primary metric on validation.
    public let best: TrialRecord
    /// Whether the time budget, not `maxTrials`, ended the search.
    public let stoppedByBudget: Bool
    /// Wall-clock seconds from start to the last trial's end.
    public let elapsedSeconds: Double

    /// Seconds from the search's start until the best trial finished.
    public var secondsToBest: Double { best.finishedAfterSeconds ?? elapsedSeconds }

    /// Trials finished per minute of search.
    public var trialsPerMinute: Double { elapsedSeconds > 0 ? Double(trials.count) * 60 / elapsedSeconds : 0 }

    /// The best model's figures on the test set, at the threshold chosen on validation.
    public func testReport(data: AutoMLDataset) throws -> ClassificationReport {
        try testReport(of: best, data: data)
    }

    /// A trial's own model on the test set, at its threshold chosen on validation.
    public func testReport(of trial: TrialRecord, data: AutoMLDataset) throws -> ClassificationReport {
        guard let outcome = trial.outcome else { throw AutoMLError.noSuccessfulTrial("trial \(trial.number) has no model") }
        let probabilities = try TrialScoring.probabilities(modelJSON: outcome.modelJSON, algorithm: outcome.configuration.algorithm,
                                                           data: data, part: .test)
        return try ClassificationMetrics.report(labels: data.truth.test, probabilities: probabilities, threshold: outcome.validation.threshold)
    }
}

/// Scores a part of the dataset with a trial's saved model.
enum TrialScoring {
    enum Part { case validation, test }

    static func probabilities(modelJSON: Data, algorithm: AutoMLAlgorithm, data: AutoMLDataset, part: Part) throws -> [Double] {
        let booster = try Booster(modelData: modelJSON, nthread: 1)
        let matrix: DMatrix
        if algorithm.usesHashedNGrams {
            matrix = try DMatrix(part == .test ? data.hashed.test : data.hashed.validation, nthread: 1)
        } else {
            matrix = try DMatrix(part == .test ? data.dense.test : data.dense.validation,
                                 featureNames: Featurizer.names(of: AutoMLDataset.denseFeatures), nthread: 1)
        }
        return try booster.predict(matrix).map(Double.init)
    }
}

extension TrialScoring {
    /// Probabilities of arbitrary labels under a trial's model, featurized by `featurizer`.
    static func probabilities(modelJSON: Data, algorithm: AutoMLAlgorithm, featurizer: Featurizer, labels: [String]) throws -> [Double] {
        let booster = try Booster(modelData: modelJSON, nthread: 1)
        let inputs = labels.map { DomainInput(label: $0) }
        let matrix: DMatrix
        if algorithm.usesHashedNGrams {
            matrix = try DMatrix(featurizer.hashedNGrams(inputs, appending: AutoMLDataset.denseFeatures), nthread: 1)
        } else {
            matrix = try DMatrix(featurizer.matrix(inputs, features: AutoMLDataset.denseFeatures),
                                 featureNames: Featurizer.names(of: AutoMLDataset.denseFeatures), nthread: 1)
        }
        return try booster.predict(matrix).map(Double.init)
    }
}

extension AutoMLResult {
    /// The best model on a held-out set, at the threshold chosen on validation.
    public func heldOutReport(data: AutoMLDataset, heldOut: HeldOutSet) throws -> HeldOutReport {
        guard let outcome = best.outcome else { throw AutoMLError.noSuccessfulTrial("the best trial has no model") }
        let probabilities = try TrialScoring.probabilities(modelJSON: outcome.modelJSON, algorithm: outcome.configuration.algorithm,
                                                           featurizer: data.featurizer, labels: heldOut.labels)
        return try heldOut.evaluate(probabilities: probabilities, threshold: outcome.validation.threshold)
    }
}
