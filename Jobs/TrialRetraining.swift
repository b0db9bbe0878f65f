import DGAModel
import Foundation
import Tracking

/// `runme trials retrain RUN_ID`: trains an AutoML trial again from what the store recorded
/// (the trial's params, its AutoML run's seed, fractions and dictionary, the store's training
/// table) and logs the result as a new top-level run tagged `automl.retrained_from`.
public enum TrialRetraining {
    /// What a retraining produced, beside the original trial's figures.
    public struct Outcome: Sendable {
        /// The new run.
        public let runID: String
        /// The retrained trial's run.
        public let originalRunID: String
        /// The trial's number in its search.
        public let trialNumber: Int
        /// The configuration trained (read from the trial's params).
        public let configuration: TrialConfiguration
        /// The original trial's final validation metrics (`val_*_final`), by name.
        public let originalMetrics: [String: Double]
        /// The retrained model's validation metrics, by the same names.
        public let metrics: [String: Double]
        /// Whether the refitted featurizer is byte for byte the one the trial used.
        public let sameFeaturizer: Bool
    }

    /// Retrains the trial `runID` of the store at `storeDirectory`.
    ///
    /// - Throws: `AutoMLError.invalidSetting` when the run is not a trial, `AutoMLError.badModel`
    ///   when its recorded training setup cannot be read.
    public static func retrain(store: TrackingStore, storeDirectory: URL, runID: String) throws -> Outcome {
        let info = try store.runInfo(id: runID)
        let params = try store.params(runID: runID)
        let tags = try store.tags(runID: runID)
        let configuration = try TrialConfiguration(params: params)
        let number = tags["automl.trial"].flatMap(Int.init) ?? 0
        let parentParams = try info.parentRunID.map { try store.params(runID: $0) } ?? [:]
        let seed = UInt64(parentParams["seed"] ?? "") ?? 42
        let validationFraction = Double(parentParams["validation_fraction"] ?? "") ?? 0.1
        let testFraction = Double(parentParams["test_fraction"] ?? "") ?? 0.2
        let dictionary = parentParams["dictionary"] ?? DictionaryWords.defaultPath
        // Runs from before out-of-fold features have no such param: they featurized in-sample.
        let outOfFoldCount = parentParams["out_of_fold_folds"].map { Int($0) ?? OutOfFoldFeatures.defaultFoldCount }
        // Runs from before the word-based augmentation have no such param: they had none.
        let wordDGAExamples = parentParams["word_dga_examples"].flatMap { Int($0) } ?? 0
        let wordDGAWeight = parentParams["word_dga_weight"].flatMap { Double($0) } ?? 1
        let metric = parentParams["primary_metric"].flatMap(PrimaryMetric.init(rawValue:)) ?? .f1

        let rows = try TrainingRows.read(storeDirectory: storeDirectory)
        let words = try DictionaryWords.load(from: URL(fileURLWithPath: dictionary))
        let data = try AutoMLDataset.prepare(labels: rows.labels, isIOC: rows.isIOC, dictionaryWords: words, seed: seed,
                                             validationFraction: validationFraction, testFraction: testFraction,
                                             outOfFoldCount: outOfFoldCount, wordDGAExamples: wordDGAExamples,
                                             wordDGAWeight: wordDGAWeight)
        let featurizerJSON = try data.featurizer.jsonData()
        let fingerprint = try data.featurizer.fingerprint()
        let originalManifest = try? JSONDecoder().decode(
            ModelManifest.self,
            from: Data(contentsOf: store.artifactDirectory(runID: runID).appendingPathComponent("model").appendingPathComponent(ModelManifest.fileName)))

        let outcome = try TrialRunner.run(configuration, data: data, seed: seed, threshold: metric.thresholdCriterion)
        let record = TrialRecord(number: number, runID: nil, configuration: configuration, outcome: outcome, error: nil, primaryValue: nil)
        let tracking = AutoMLTracking(store: store, experimentID: info.experimentID, parentRunID: info.parentRunID ?? runID)
        let newRunID = try tracking.logRetraining(record, originalRunID: runID, featurizerJSON: featurizerJSON,
                                                  fingerprint: fingerprint, data: data, seed: seed)
        let latest = try store.latestMetrics(runID: runID)
        var original: [String: Double] = [:]
        for (key, metric) in latest where key.hasPrefix("val_") && key.hasSuffix("_final") {
            original[String(key.dropFirst(4).dropLast(6))] = metric.value
        }
        return Outcome(runID: newRunID, originalRunID: runID, trialNumber: number, configuration: configuration,
                       originalMetrics: original, metrics: outcome.validation.namedMetrics,
                       sameFeaturizer: originalManifest?.featurizerFingerprint == fingerprint)
    }
}
