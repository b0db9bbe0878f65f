import Foundation

/// A trial's notebook: one Markdown page saying what data and features the trial saw, which
/// algorithm and parameters it ran, how it scored, which inputs mattered, and the command that
/// retrains it, as Databricks AutoML's generated trial notebooks do.
public enum TrialNotebook {
    /// The artifact's path inside the trial run.
    public static let artifactPath = "notebook.md"

    /// The data a trial was trained on.
    public struct DataSummary: Sendable {
        /// Rows per part, and ioc rows per part.
        public let trainRows: Int, trainIOC: Int, validationRows: Int, validationIOC: Int, testRows: Int, testIOC: Int
        /// Seed of the split.
        public let seed: UInt64
        /// The featurizer's computation version and fingerprint.
        public let featurizerVersion: Int, featurizerFingerprint: String
        /// Hash buckets of the n-gram input.
        public let hashBuckets: Int
        /// `legit / ioc` of the training part.
        public let scalePosWeight: Double
        /// Folds of the training rows' out-of-fold features; nil when featurized in-sample.
        public let outOfFoldCount: Int?
        /// Synthetic word-built ioc rows among the training rows, and what each weighs.
        public let syntheticTrainingRows: Int, syntheticRowWeight: Float

        /// The summary of a prepared dataset.
        public init(_ data: AutoMLDataset, seed: UInt64, fingerprint: String) {
            trainRows = data.truth.train.count
            trainIOC = data.truth.train.filter { $0 }.count
            validationRows = data.truth.validation.count
            validationIOC = data.truth.validation.filter { $0 }.count
            testRows = data.truth.test.count
            testIOC = data.truth.test.filter { $0 }.count
            self.seed = seed
            featurizerVersion = data.featurizer.version
            featurizerFingerprint = fingerprint
            hashBuckets = data.featurizer.configuration.hashing.bucketCount
            scalePosWeight = data.scalePosWeight
            outOfFoldCount = data.outOfFoldCount
            syntheticTrainingRows = data.syntheticTrainingRows
            syntheticRowWeight = data.syntheticRowWeight
        }
    }

    /// The notebook of a finished trial.
    public static func markdown(number: Int, runID: String, parentRunID: String?, outcome: TrialOutcome, params: [String: String],
                                data: DataSummary, retrainedFrom: String? = nil) -> String {
        let configuration = outcome.configuration
        var lines: [String] = []
        lines.append("# Trial \(number): \(configuration.algorithm.rawValue)")
        lines.append("")
        lines.append("Run `\(runID)`" + (parentRunID.map { ", a child of the AutoML run `\($0)`" } ?? "")
                     + (retrainedFrom.map { "; a retraining of trial run `\($0)`" } ?? "") + ".")
        lines.append("")
        lines.append("## Retrain")
        lines.append("")
        lines.append("```sh")
        lines.append("runme trials retrain \(retrainedFrom ?? runID)")
        lines.append("```")
        lines.append("")
        lines.append("Rebuilds the split from `silver_dns_training_dataset` with the seed and fractions below, refits the featurizer, "
                     + "trains these parameters with one XGBoost thread and the same XGBoost seed, and logs the result as a new run.")
        lines.append("")
        lines.append("## Data")
        lines.append("")
        lines.append("Table `silver_dns_training_dataset` (class `ioc` is the positive class), split stratified with seed \(data.seed).")
        lines.append("")
        lines.append("| part | rows | ioc | used for |")
        lines.append("| --- | --- | --- | --- |")
        lines.append("| train | \(data.trainRows) | \(data.trainIOC) | fitting the featurizer (legit rows only) and the model |")
        lines.append("| validation | \(data.validationRows) | \(data.validationIOC) | early stopping, the threshold, ranking trials |")
        lines.append("| test | \(data.testRows) | \(data.testIOC) | only the best model's final report |")
        lines.append("")
        if data.syntheticTrainingRows > 0 {
            lines.append("The training rows include \(data.syntheticTrainingRows) synthetic word-built ioc labels (`word_dga_examples`), "
                         + "each weighing \(data.syntheticRowWeight) of a real ioc row (`word_dga_weight`).")
            lines.append("")
        }
        lines.append("## Features")
        lines.append("")
        lines.append("Featurizer version \(data.featurizerVersion), fingerprint `\(data.featurizerFingerprint.prefix(16))…` (saved as `model/featurizer.json`).")
        lines.append(data.outOfFoldCount.map {
            "Training rows are featurized out of fold: the training split is cut into \($0) folds by label, and each fold's features "
                + "come from tables fitted on the other folds' legit labels, so no training label sees its own n-grams; validation and "
                + "test rows use the tables of the whole training split, the ones saved with the model."
        } ?? "Training rows are featurized in-sample, with the tables they were fitted into.")
        if configuration.algorithm.usesHashedNGrams {
            lines.append("Input: \(data.hashBuckets) hashed character 2-4-gram buckets, then the dense features below.")
        } else {
            lines.append("Input: the dense features below.")
        }
        lines.append("")
        lines.append("| feature | what it measures |")
        lines.append("| --- | --- |")
        for feature in AutoMLDataset.denseFeatures { lines.append("| `\(feature.rawValue)` | \(feature.summary) |") }
        lines.append("")
        lines.append("## Algorithm and parameters")
        lines.append("")
        lines.append("| parameter | value |")
        lines.append("| --- | --- |")
        for key in params.keys.sorted() { lines.append("| `\(key)` | \(params[key] ?? "") |") }
        lines.append("| rounds trained | \(outcome.roundsTrained) (best round \(outcome.bestIteration + 1)) |")
        lines.append("")
        lines.append(configuration.algorithm == .linear
                     ? "Class weights: none (the threshold is chosen on validation)."
                     : String(format: "Class weights: ioc rows weigh scale_pos_weight = (legit/ioc)^class_weight_power = %.3f^%@ = %.3f.",
                              data.scalePosWeight, params[AutoMLAlgorithm.classWeightPower] ?? "1",
                              configuration.scalePosWeight(classRatio: data.scalePosWeight)))
        lines.append("")
        lines.append("## Validation metrics")
        lines.append("")
        lines.append("| metric | value |")
        lines.append("| --- | --- |")
        for name in ["accuracy", "precision", "recall", "f1", "roc_auc", "pr_auc", "log_loss", "threshold"] {
            lines.append("| \(name) | " + String(format: "%.4f", outcome.validation.namedMetrics[name] ?? .nan) + " |")
        }
        lines.append("")
        lines.append(String(format: "Duration: %.2f s.", outcome.durationSeconds))
        lines.append("")
        lines.append("## Feature importance")
        lines.append("")
        if outcome.importance.isEmpty {
            lines.append("Not available for this model.")
        } else {
            lines.append(configuration.algorithm.usesHashedNGrams ? "Largest absolute weights of the linear model." : "Average gain of the splits on each feature.")
            lines.append("")
            lines.append("| feature | \(configuration.algorithm.usesHashedNGrams ? "weight" : "gain") |")
            lines.append("| --- | --- |")
            for item in outcome.importance { lines.append("| `\(item.feature)` | \(String(format: "%.4g", item.score)) |") }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
