import Foundation

/// `MLmodel.json`: what a saved DGA model needs besides its XGBoost JSON and featurizer.
public struct ModelManifest: Sendable, Codable, Equatable {
    /// Marks the file as ours.
    public static let formatName = "runme-dga-model"
    /// This file's name inside a model directory.
    public static let fileName = "MLmodel.json"
    /// The XGBoost JSON model's file name.
    public static let modelFileName = "model.json"
    /// The featurizer's file name.
    public static let featurizerFileName = "featurizer.json"

    /// `runme-dga-model`.
    public var format: String = ModelManifest.formatName
    /// The model family.
    public var algorithm: AutoMLAlgorithm
    /// `dense` (the domain features) or `hashed_ngrams` (hashed n-grams then the features).
    public var input: String
    /// The dense features, in column order (after the hash buckets for `hashed_ngrams`).
    public var features: [String]
    /// Hash buckets before the features (0 for dense input).
    public var hashBuckets: Int
    /// Scores at or above this are ioc; chosen for the best F1 on the validation set.
    public var threshold: Double
    /// The featurizer this model was trained with (`Featurizer.fingerprint()`).
    public var featurizerFingerprint: String
    /// Hyperparameters of the trial.
    public var params: [String: String]

    /// A manifest for a model over `features` (after `hashBuckets` hash buckets for `hashed_ngrams`).
    public init(algorithm: AutoMLAlgorithm, input: String, features: [String], hashBuckets: Int, threshold: Double,
                featurizerFingerprint: String, params: [String: String]) {
        self.algorithm = algorithm
        self.input = input
        self.features = features
        self.hashBuckets = hashBuckets
        self.threshold = threshold
        self.featurizerFingerprint = featurizerFingerprint
        self.params = params
    }

    /// `input` for models on the dense features.
    public static let denseInput = "dense"
    /// `input` for models on hashed n-grams then the dense features.
    public static let hashedInput = "hashed_ngrams"
}
