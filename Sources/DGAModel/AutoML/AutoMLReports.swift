import Foundation

/// The AutoML run's own artifacts, as Databricks AutoML writes them beside the trials: a
/// data-exploration page, a summary (Markdown for people, JSON for tools), and the best model's
/// feature importance and per-prediction SHAP contributions.
public enum AutoMLReports {
    /// Artifact paths in the AutoML (parent) run.
    public static let explorationPath = "automl/data_exploration.md"
    /// The summary page.
    public static let summaryMarkdownPath = "automl/summary.md"
    /// The summary for tools (`AutoMLSummary`).
    public static let summaryJSONPath = "automl/summary.json"
    /// Gain importance of the best model, JSON.
    public static let importancePath = "automl/best_model/feature_importance.json"
    /// SHAP contributions of the best model on test rows, CSV.
    public static let shapPath = "automl/best_model/shap_test_sample.csv"
    /// Mean absolute SHAP per input and the importance, Markdown.
    public static let explanationPath = "automl/best_model/explanation.md"
    /// The held-out evaluation, Markdown.
    public static let heldOutPath = "automl/heldout_evaluation.md"

    // MARK: Data exploration

    /// Class balance and the length and entropy distributions per class, over all rows.
    public static func exploration(_ data: AutoMLDataset) -> String {
        let lengthColumn = AutoMLDataset.denseFeatures.firstIndex(of: .length) ?? 0
        let entropyColumn = AutoMLDataset.denseFeatures.firstIndex(of: .entropy) ?? 1
        var values: [Bool: (length: [Double], entropy: [Double])] = [true: ([], []), false: ([], [])]
        // The real table only: synthetic word-built training rows (the last training rows) are
        // described in their own line below.
        for (matrix, truth, synthetic) in [(data.dense.train, data.truth.train, data.syntheticTrainingRows),
                                           (data.dense.validation, data.truth.validation, 0), (data.dense.test, data.truth.test, 0)] {
            for row in 0..<(matrix.rowCount - synthetic) {
                values[truth[row], default: ([], [])].length.append(Double(matrix[row, lengthColumn]))
                values[truth[row], default: ([], [])].entropy.append(Double(matrix[row, entropyColumn]))
            }
        }
        let total = data.realRowCount
        let ioc = data.isIOC.prefix(total).filter { $0 }.count
        var lines = ["# Data exploration", "", "Table `silver_dns_training_dataset`: \(total) distinct domain labels.", "",
                     "## Class balance", "", "| class | rows | share |", "| --- | --- | --- |",
                     "| legit | \(total - ioc) | " + String(format: "%.2f%%", 100 * Double(total - ioc) / Double(max(1, total))) + " |",
                     "| ioc | \(ioc) | " + String(format: "%.2f%%", 100 * Double(ioc) / Double(max(1, total))) + " |", "",
                     "The classes are imbalanced (\(String(format: "%.1f", Double(total - ioc) / Double(max(1, ioc)))) legit per ioc): the split is "
                     + "stratified, tree models weigh ioc rows by legit/ioc of the training split, and F1 is computed at the threshold chosen on validation.", ""]
        if data.syntheticTrainingRows > 0 {
            lines += ["Training also holds \(data.syntheticTrainingRows) synthetic word-built ioc labels (`word_dga_examples`, from the training "
                      + "half of the dictionary), each weighing \(data.syntheticRowWeight) of a real ioc row (`word_dga_weight`), "
                      + "not counted above and never in validation or test.", ""]
        }
        for (title, key, width) in [("Label length (characters)", \(length: [Double], entropy: [Double]).length, 4.0),
                                    ("Shannon entropy (bits)", \(length: [Double], entropy: [Double]).entropy, 0.5)] {
            let legit = values[false]?[keyPath: key] ?? []
            let dga = values[true]?[keyPath: key] ?? []
            lines += ["## \(title)", "", "| class | min | p10 | p25 | median | p75 | p90 | max | mean |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
            for (name, column) in [("legit", legit), ("ioc", dga)] {
                let q = quantiles(column, [0, 0.1, 0.25, 0.5, 0.75, 0.9, 1])
                let mean = column.isEmpty ? Double.nan : column.reduce(0, +) / Double(column.count)
                lines.append("| \(name) | " + (q + [mean]).map { String(format: "%.2f", $0) }.joined(separator: " | ") + " |")
            }
            lines += ["", "Share of each class per bin:", "", "| bin | legit | ioc |", "| --- | --- | --- |"]
            let top = max(legit.max() ?? 0, dga.max() ?? 0)
            var low = 0.0
            while low <= top {
                let high = low + width
                let inBin = { (column: [Double]) -> String in
                    let count = column.filter { $0 >= low && $0 < high }.count
                    return String(format: "%.1f%%", 100 * Double(count) / Double(max(1, column.count)))
                }
                lines.append("| [\(format(low)), \(format(high))) | \(inBin(legit)) | \(inBin(dga)) |")
                low = high
            }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    // MARK: Summary

    /// The summary of a search.
    public static func summary(_ result: AutoMLResult, settings: AutoMLSettings, test: ClassificationReport?,
                               heldOut: HeldOutReport?, finalModel: FinalModel? = nil, finalModelRunID: String? = nil,
                               bestTrialTest: ClassificationReport? = nil) -> AutoMLSummary {
        let metric = settings.primaryMetric
        let sorted = result.trials.sorted { lhs, rhs in
            switch (lhs.primaryValue, rhs.primaryValue) {
            case let (l?, r?): return metric.isBetter(l, than: r) || (l == r && lhs.number < rhs.number)
            case (_?, nil): return true
            case (nil, _?): return false
            default: return lhs.number < rhs.number
            }
        }
        let trials = sorted.map { trial in
            AutoMLSummary.Trial(number: trial.number, runID: trial.runID, algorithm: trial.configuration.algorithm.rawValue,
                                params: trial.configuration.params, primaryValue: trial.primaryValue,
                                validation: trial.outcome?.validation.namedMetrics, durationSeconds: trial.outcome?.durationSeconds,
                                finishedAfterSeconds: trial.finishedAfterSeconds, error: trial.error)
        }
        let values = result.trials.compactMap(\.primaryValue).filter(\.isFinite)
        return AutoMLSummary(
            primaryMetric: metric.rawValue, timeBudgetSeconds: settings.timeBudgetSeconds, maxTrials: settings.maxTrials,
            trialCount: result.trials.count, failedTrials: result.trials.filter { $0.primaryValue == nil }.count,
            elapsedSeconds: result.elapsedSeconds, stoppedByBudget: result.stoppedByBudget,
            stopReason: result.stoppedByBudget ? "time budget" : (result.trials.count >= settings.maxTrials ? "max_trials" : "search ended"),
            trialsPerMinute: result.trialsPerMinute, secondsToBest: result.secondsToBest,
            bestTrial: trials.first { $0.number == result.best.number }, metricDistribution: AutoMLSummary.Distribution(values),
            test: test?.namedMetrics, heldOut: heldOut?.metrics, trials: trials,
            finalModel: finalModel.map { AutoMLSummary.FinalModelInfo($0, runID: finalModelRunID) }, bestTrialTest: bestTrialTest?.namedMetrics)
    }

    // MARK: Final model explanation

    /// Gain importance (all features) of a tree model, or absolute weights for the linear model.
    public static func importance(of outcome: TrialOutcome, hashBuckets: Int) throws -> [FeatureImportance] {
        let booster = try Booster(modelData: outcome.modelJSON, nthread: 1)
        return try TrialRunner.importance(of: booster, algorithm: outcome.configuration.algorithm, hashBuckets: hashBuckets, limit: 100)
    }

    /// SHAP contributions (`pred_contribs`) of the best model on up to `sampleSize` test rows
    /// (ioc rows, up to half the sample, then legit rows, each in split order), as CSV, and the mean absolute
    /// contribution per input over the sample. Hashed n-gram buckets are summed into one
    /// `ngram_buckets` column.
    public static func shap(of outcome: TrialOutcome, data: AutoMLDataset, sampleSize: Int = 500) throws -> (csv: String, meanAbsolute: [(String, Double)]) {
        let booster = try Booster(modelData: outcome.modelJSON, nthread: 1)
        let iocRows = data.split.test.filter { data.isIOC[$0] }.prefix(sampleSize / 2)
        let testRows = Array(iocRows) + data.split.test.filter { !data.isIOC[$0] }.prefix(sampleSize - iocRows.count)
        let labels = testRows.map { data.labels[$0] }
        let dense = AutoMLDataset.denseFeatures
        let buckets = outcome.configuration.algorithm.usesHashedNGrams ? data.featurizer.configuration.hashing.bucketCount : 0
        let names = (buckets > 0 ? ["ngram_buckets"] : []) + Featurizer.names(of: dense) + ["bias"]
        var sums = [Double](repeating: 0, count: names.count)
        var lines = ["label,class,probability," + names.joined(separator: ",")]
        // SHAP output is rows × (columns + 1) floats, 65,537 columns for a hashed-n-gram model:
        // chunks of 100 rows keep that to a few tens of megabytes.
        var start = 0
        while start < labels.count {
            let end = min(labels.count, start + 100)
            let inputs = labels[start..<end].map { DomainInput(label: $0) }
            let matrix = buckets > 0
                ? try DMatrix(data.featurizer.hashedNGrams(inputs, appending: dense), nthread: 1)
                : try DMatrix(data.featurizer.matrix(inputs, features: dense), featureNames: Featurizer.names(of: dense), nthread: 1)
            let probabilities = try booster.predict(matrix)
            let contributions = try booster.contributions(matrix)
            for offset in 0..<inputs.count {
                let values = Array(contributions.row(offset))
                var folded: [Double] = []
                if buckets > 0 { folded.append(values.prefix(buckets).reduce(0) { $0 + Double($1) }) }
                folded += values.dropFirst(buckets).map(Double.init)
                for (index, value) in folded.enumerated() where index < sums.count { sums[index] += abs(value) }
                let row = start + offset
                let truth = data.isIOC[testRows[row]] ? "ioc" : "legit"
                lines.append(csvField(labels[row]) + ",\(truth)," + String(format: "%.6f", probabilities[offset]) + ","
                             + folded.map { String(format: "%.6f", $0) }.joined(separator: ","))
            }
            start = end
        }
        let count = Double(max(1, labels.count))
        let mean = zip(names, sums).map { ($0, $1 / count) }.filter { $0.0 != "bias" }.sorted { $0.1 > $1.1 }
        return (lines.joined(separator: "\n") + "\n", mean)
    }

    /// The explanation page of the model handed on: the final model, `trial`'s configuration refitted.
    public static func explanationMarkdown(trial: TrialRecord, importance: [FeatureImportance], meanAbsoluteSHAP: [(String, Double)], sampleRows: Int) -> String {
        var lines = ["# Final model: trial \(trial.number) (\(trial.configuration.algorithm.rawValue)), refitted on train + validation", "",
                     "The configuration of run `\(trial.runID ?? "untracked")`; \(trial.configuration.summary).", "",
                     "## Mean absolute SHAP contribution (log-odds), \(sampleRows) test rows", "",
                     "From XGBoost's `pred_contribs`; per-row values in `shap_test_sample.csv`.", "",
                     "| input | mean abs SHAP |", "| --- | --- |"]
        for (name, value) in meanAbsoluteSHAP { lines.append("| `\(name)` | " + String(format: "%.4f", value) + " |") }
        lines += ["", "## Feature importance (\(trial.configuration.algorithm.usesHashedNGrams ? "absolute weight" : "average gain"))", "",
                  "| feature | score |", "| --- | --- |"]
        for item in importance { lines.append("| `\(item.feature)` | " + String(format: "%.4g", item.score) + " |") }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func csvField(_ text: String) -> String {
        text.contains(",") || text.contains("\"") ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }

    static func quantiles(_ values: [Double], _ points: [Double]) -> [Double] {
        guard !values.isEmpty else { return points.map { _ in .nan } }
        let sorted = values.sorted()
        return points.map { p in
            let position = p * Double(sorted.count - 1)
            let low = Int(position.rounded(.down))
            let high = min(sorted.count - 1, low + 1)
            return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
        }
    }
}

/// `automl/summary.json`: the search at a glance, for reports and tools.
public struct AutoMLSummary: Sendable, Codable, Equatable {
    /// One trial.
    public struct Trial: Sendable, Codable, Equatable {
        public let number: Int
        public let runID: String?
        public let algorithm: String
        public let params: [String: String]
        /// The primary metric on validation; nil when the trial failed.
        public let primaryValue: Double?
        public let validation: [String: Double]?
        public let durationSeconds: Double?
        public let finishedAfterSeconds: Double?
        public let error: String?
    }

    /// The primary metric's spread over successful trials.
    public struct Distribution: Sendable, Codable, Equatable {
        public let count: Int
        public let min: Double?, p25: Double?, median: Double?, p75: Double?, max: Double?, mean: Double?

        init(_ values: [Double]) {
            count = values.count
            let q = values.isEmpty ? [] : AutoMLReports.quantiles(values, [0, 0.25, 0.5, 0.75, 1])
            min = q.first
            p25 = q.count > 1 ? q[1] : nil
            median = q.count > 2 ? q[2] : nil
            p75 = q.count > 3 ? q[3] : nil
            max = q.last
            mean = values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
        }
    }

    public let primaryMetric: String
    public let timeBudgetSeconds: Double
    public let maxTrials: Int
    public let trialCount: Int
    public let failedTrials: Int
    public let elapsedSeconds: Double
    /// Whether the time budget ended the search.
    public let stoppedByBudget: Bool
    /// `time budget`, `max_trials` or `search ended`.
    public let stopReason: String
    public let trialsPerMinute: Double
    public let secondsToBest: Double
    public let bestTrial: Trial?
    public let metricDistribution: Distribution
    /// The model handed on (the final model when there is one, else the best trial) on the test split.
    public let test: [String: Double]?
    /// The model handed on, on the held-out set (`heldout_*` metrics).
    public let heldOut: [String: Double]?
    /// Every trial, best first by the primary metric (failed trials last).
    public let trials: [Trial]
    /// How the model handed on was made from the best trial (nil: the trial's model as is).
    public var finalModel: FinalModelInfo? = nil
    /// The best trial's own model on the test split at its validation threshold, beside the final model's.
    public var bestTrialTest: [String: Double]? = nil

    /// The final model's provenance (see `FinalModel`).
    public struct FinalModelInfo: Sendable, Codable, Equatable {
        /// The run holding the final model's files (`runs:/<id>/model`).
        public let runID: String?
        /// The trial whose configuration was refitted.
        public let trial: Int
        /// Rows it trained on (training + validation) and the ioc rows among them.
        public let trainingRows: Int, trainingPositives: Int
        /// Boosting rounds (the best trial's early-stopped count).
        public let rounds: Int
        /// The threshold, where it came from, and over how many folds.
        public let threshold: Double, thresholdSource: String, folds: Int
        /// The best trial's own threshold on validation.
        public let validationThreshold: Double
        /// Out-of-fold figures at the threshold.
        public let outOfFold: [String: Double]
        /// The best trials refitted for the choice, in validation order, with their out-of-fold scores.
        public let candidates: [FinalModel.Candidate]
        /// The section written into the summary page.
        public let markdown: String

        init(_ model: FinalModel, runID: String?) {
            self.runID = runID
            trial = model.trial.number
            trainingRows = model.trainingRows
            trainingPositives = model.trainingPositives
            rounds = model.rounds
            threshold = model.threshold
            thresholdSource = model.thresholdSource.rawValue
            folds = model.folds
            validationThreshold = model.validationThreshold
            outOfFold = model.outOfFold.namedMetrics
            candidates = model.candidates
            markdown = model.markdown() + (runID.map { "\nIts files: `runs:/\($0)/model`.\n" } ?? "")
        }
    }

    /// The summary page.
    public func markdown() -> String {
        func number(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "-" }
        var lines = ["# AutoML summary", "",
                     "Primary metric: `\(primaryMetric)` on the validation split. \(trialCount) trials (\(failedTrials) failed) in "
                     + String(format: "%.1f s", elapsedSeconds) + " of a " + String(format: "%.0f s", timeBudgetSeconds)
                     + " budget and at most \(maxTrials) trials; " + String(format: "%.1f trials per minute.", trialsPerMinute), "",
                     stoppedByBudget ? "**The time budget stopped the search.**" : "The search stopped by \(stopReason), not the time budget.", ""]
        if let best = bestTrial {
            lines += ["## Best trial", "",
                      "Trial \(best.number) (`\(best.algorithm)`), run `\(best.runID ?? "untracked")`, finished after "
                      + String(format: "%.1f s", secondsToBest) + ". Retrain with `runme trials retrain \(best.runID ?? "RUN_ID")`.", "",
                      finalModel == nil ? "| metric | validation | test |" : "| metric | validation | test, best trial | test, final model |",
                      finalModel == nil ? "| --- | --- | --- |" : "| --- | --- | --- | --- |"]
            for name in ["accuracy", "precision", "recall", "f1", "roc_auc", "pr_auc", "log_loss", "threshold"] {
                lines.append(finalModel == nil ? "| \(name) | \(number(best.validation?[name])) | \(number(test?[name])) |"
                                               : "| \(name) | \(number(best.validation?[name])) | \(number(bestTrialTest?[name])) | \(number(test?[name])) |")
            }
            lines += ["", "| param | value |", "| --- | --- |"] + best.params.keys.sorted().map { "| `\($0)` | \(best.params[$0] ?? "") |" }
            lines.append("")
        }
        if let finalModel { lines += [finalModel.markdown] }
        if let heldOut, !heldOut.isEmpty {
            lines += ["## Held-out domains", "", "| measure | value |", "| --- | --- |"]
            for key in heldOut.keys.sorted() { lines.append("| \(key) | \(number(heldOut[key])) |") }
            lines.append("")
        }
        let d = metricDistribution
        lines += ["## Distribution of \(primaryMetric) over \(d.count) successful trials", "",
                  "| min | p25 | median | p75 | max | mean |", "| --- | --- | --- | --- | --- | --- |",
                  "| \(number(d.min)) | \(number(d.p25)) | \(number(d.median)) | \(number(d.p75)) | \(number(d.max)) | \(number(d.mean)) |", "",
                  "## All trials, best first", "",
                  "| rank | trial | algorithm | \(primaryMetric) | seconds | run | params |", "| --- | --- | --- | --- | --- | --- | --- |"]
        for (rank, trial) in trials.enumerated() {
            let params = trial.params.filter { $0.key != "algorithm" }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            lines.append("| \(rank + 1) | \(trial.number) | \(trial.algorithm) | \(trial.primaryValue.map { String(format: "%.4f", $0) } ?? "failed") | "
                         + "\(trial.durationSeconds.map { String(format: "%.2f", $0) } ?? "-") | `\(trial.runID ?? "-")` | \(params) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
