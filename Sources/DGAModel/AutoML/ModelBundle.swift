import Foundation

/// A domain's score from a `ModelBundle`.
public struct DomainScore: Sendable, Equatable {
    /// Probability of the ioc class.
    public let probability: Double
    /// `ioc` when `probability` reaches the model's threshold, else `legit`.
    public let predictedClass: String
    /// The three features that moved this prediction most (SHAP, in log-odds), largest first.
    public let topFeatures: [FeatureContribution]
}

/// One feature's SHAP contribution to one prediction.
public struct FeatureContribution: Sendable, Equatable {
    /// The feature's name (a dense feature, or `ngram_bucket_N` for a hashed n-gram bucket).
    public let feature: String
    /// Log-odds toward ioc (negative: toward legit).
    public let contribution: Double
    /// The feature's value in the scored row (NaN: missing), when the scorer had the row at
    /// hand; nil otherwise (hashed n-gram rows, the XGBoost library's path).
    public let value: Double?

    public init(feature: String, contribution: Double, value: Double? = nil) {
        self.feature = feature
        self.contribution = contribution
        self.value = value
    }
}

/// A saved DGA model: the XGBoost JSON, its featurizer and its manifest, loaded from the
/// directory a `runs:/…/model` or `models:/…` URI resolves to.
///
/// Scoring goes through a `CompiledScorer` (the trees or weights compiled from the JSON model,
/// on all cores) whenever the model compiles; otherwise (`compiledFallbackReason` says why) it
/// goes through the XGBoost library, one chunk at a time.
public final class ModelBundle: @unchecked Sendable {
    // Unchecked: every stored property is immutable after init; the XGBoost booster is only
    // used for in-place and DMatrix prediction, which XGBoost allows from several threads.

    /// The directory the bundle was loaded from.
    public let directory: URL
    /// The model's `MLmodel.json`.
    public let manifest: ModelManifest
    /// The featurizer the model was trained with.
    public let featurizer: Featurizer
    /// The compiled predictor, nil when the model does not compile.
    public let compiled: CompiledScorer?
    /// Why scoring falls back to the XGBoost library (nil when it is compiled).
    public let compiledFallbackReason: String?
    private let booster: Booster

    /// Loads `model.json`, `featurizer.json` and `MLmodel.json` from `directory`.
    ///
    /// - Throws: `AutoMLError.badModel` naming the missing or mismatched file.
    public init(directory: URL, nthread: Int = 1) throws {
        let manifestURL = directory.appendingPathComponent(ModelManifest.fileName)
        let featurizerURL = directory.appendingPathComponent(ModelManifest.featurizerFileName)
        let modelURL = directory.appendingPathComponent(ModelManifest.modelFileName)
        for url in [manifestURL, featurizerURL, modelURL] where !FileManager.default.fileExists(atPath: url.path) {
            throw AutoMLError.badModel("\(url.path) is missing")
        }
        do {
            manifest = try JSONDecoder().decode(ModelManifest.self, from: Data(contentsOf: manifestURL))
        } catch {
            throw AutoMLError.badModel("\(manifestURL.path): \(error)")
        }
        guard manifest.format == ModelManifest.formatName else {
            throw AutoMLError.badModel("\(manifestURL.path) is not a \(ModelManifest.formatName) manifest")
        }
        featurizer = try Featurizer(contentsOf: featurizerURL)
        let fingerprint = try featurizer.fingerprint()
        guard fingerprint == manifest.featurizerFingerprint else {
            throw AutoMLError.badModel("featurizer \(fingerprint.prefix(12)) is not the one the model was trained with (\(manifest.featurizerFingerprint.prefix(12)))")
        }
        booster = try Booster(contentsOf: modelURL, nthread: nthread)
        self.directory = directory
        let features = try manifest.features.map { name -> DomainFeature in
            guard let feature = DomainFeature(rawValue: name) else { throw AutoMLError.badModel("unknown feature \(name) in the manifest") }
            return feature
        }
        do {
            let model = try CompiledModel(contentsOf: modelURL)
            compiled = try CompiledScorer(featurizer: featurizer, model: model, features: features,
                                          hashed: manifest.input == ModelManifest.hashedInput, threshold: manifest.threshold)
            compiledFallbackReason = nil
        } catch let error as CompiledModelError {
            compiled = nil
            compiledFallbackReason = error.description
        }
    }

    /// Scores domain labels (the part left of the public suffix), with the top three
    /// contributing features of each, on all cores.
    public func score(labels: [String]) throws -> [DomainScore] {
        if let compiled { return compiled.scores(labels: labels) }
        return try libraryScores(labels: labels)
    }

    /// Scores with the top three features by Saabas's path attributions (XGBoost's
    /// `approx_contribs`) instead of exact SHAP: a few times the prediction's cost, where exact
    /// TreeSHAP costs hundreds of times more (O(leaves × depth²) per tree). A library-scored model gets exact SHAP.
    public func scoreApproximatingContributions(labels: [String]) throws -> [DomainScore] {
        if let compiled { return compiled.scores(labels: labels, approximate: true) }
        return try libraryScores(labels: labels)
    }

    /// Probabilities only (for scoring a test set), on all cores.
    public func probabilities(labels: [String]) throws -> [Double] {
        if let compiled { return compiled.probabilities(labels: labels).map(Double.init) }
        return try libraryProbabilities(labels: labels)
    }

    /// `score(labels:)` through the XGBoost library (SHAP by XGBoost), whatever the model: the
    /// reference the compiled predictor is checked against.
    public func libraryScores(labels: [String]) throws -> [DomainScore] {
        // SHAP output is rows × (columns + 1) floats, and a hashed-n-gram model has 65,536
        // columns: score in chunks so a long input file does not need gigabytes at once.
        var scores: [DomainScore] = []
        scores.reserveCapacity(labels.count)
        var start = 0
        while start < labels.count {
            let end = min(labels.count, start + Self.chunkSize)
            scores += try scoreChunk(Array(labels[start..<end]))
            start = end
        }
        return scores
    }

    private static let chunkSize = 256

    private func scoreChunk(_ labels: [String]) throws -> [DomainScore] {
        let matrix = try inputMatrix(labels)
        let probabilities = try booster.predict(matrix)
        let contributions = try booster.contributions(matrix)
        let names = columnNames(count: contributions.columnCount - 1)
        return probabilities.enumerated().map { row, probability in
            let values = contributions.row(row).dropLast()
            let top = values.enumerated().filter { $0.element != 0 }
                .sorted { abs($0.element) > abs($1.element) }.prefix(3)
                .map { FeatureContribution(feature: names[$0.offset], contribution: Double($0.element)) }
            let p = Double(probability)
            return DomainScore(probability: p, predictedClass: p >= manifest.threshold ? "ioc" : "legit", topFeatures: top)
        }
    }

    /// Probabilities through the XGBoost library, whatever the model.
    public func libraryProbabilities(labels: [String]) throws -> [Double] {
        try booster.predict(inputMatrix(labels)).map(Double.init)
    }

    private func inputMatrix(_ labels: [String]) throws -> DMatrix {
        let features = try manifest.features.map { name -> DomainFeature in
            guard let feature = DomainFeature(rawValue: name) else { throw AutoMLError.badModel("unknown feature \(name) in the manifest") }
            return feature
        }
        if manifest.input == ModelManifest.hashedInput {
            return try DMatrix(featurizer.hashedNGrams(labels.map { DomainInput(label: $0) }, appending: features), nthread: 1)
        }
        return try DMatrix(featurizer.matrix(labels: labels, features: features), featureNames: manifest.features, nthread: 1)
    }

    private func columnNames(count: Int) -> [String] {
        let buckets = manifest.input == ModelManifest.hashedInput ? manifest.hashBuckets : 0
        return (0..<count).map { column in
            if column < buckets { return "ngram_bucket_\(column)" }
            let index = column - buckets
            return index < manifest.features.count ? manifest.features[index] : "column_\(column)"
        }
    }
}
