import DGAModel
import Foundation

/// Trains one model of a chosen family on `AutoMLFixture`'s real alexa/DGA rows and writes it
/// as a model directory (model.json, featurizer.json, MLmodel.json), as a trial run's `model`
/// artifact looks, without a store.
public enum ModelDirectoryFixture {
    /// A configuration of `algorithm` large enough to exercise deep trees and many rounds,
    /// small enough to train in about a second.
    public static func configuration(_ algorithm: AutoMLAlgorithm) -> TrialConfiguration {
        switch algorithm {
        case .xgboost: return TrialConfiguration(algorithm: .xgboost, values: ["rounds": 40, "max_depth": 6, "eta": 0.3])
        case .randomForest: return TrialConfiguration(algorithm: .randomForest, values: ["trees": 24, "max_depth": 10])
        case .linear: return TrialConfiguration(algorithm: .linear, values: ["rounds": 20])
        }
    }

    /// Trains `algorithm` on `data` and writes its model directory to `directory`.
    public static func write(_ algorithm: AutoMLAlgorithm, data: AutoMLDataset, to directory: URL) throws {
        let configuration = configuration(algorithm)
        // All rounds, without early stopping: the point is a model of many trees, and on this
        // small training split validation loss can stop improving after the first round.
        let outcome = try TrialRunner.run(configuration, data: data, seed: 7, earlyStopping: false)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let manifest = ModelManifest(
            algorithm: algorithm,
            input: algorithm.usesHashedNGrams ? ModelManifest.hashedInput : ModelManifest.denseInput,
            features: Featurizer.names(of: AutoMLDataset.denseFeatures),
            hashBuckets: algorithm.usesHashedNGrams ? data.featurizer.configuration.hashing.bucketCount : 0,
            threshold: outcome.validation.threshold, featurizerFingerprint: try data.featurizer.fingerprint(),
            params: configuration.params)
        try outcome.modelJSON.write(to: directory.appendingPathComponent(ModelManifest.modelFileName))
        try data.featurizer.write(to: directory.appendingPathComponent(ModelManifest.featurizerFileName))
        try JSONEncoder().encode(manifest).write(to: directory.appendingPathComponent(ModelManifest.fileName))
    }
}
