import Foundation
import Tracking

/// Runs side by side: their differing parameters and every metric, best first by one metric.
/// What `runme compare` prints and the trial table of `runme report` shows.
public struct RunComparison: Sendable, Encodable {
    /// One run's row.
    public struct Row: Sendable, Encodable {
        public let runID: String
        public let name: String
        public let status: String
        /// The AutoML trial number (tag `automl.trial`), if the run is a trial.
        public let trial: Int?
        /// The model family (param `algorithm` or tag `automl.algorithm`).
        public let algorithm: String?
        public let params: [String: String]
        /// Latest value of every metric.
        public let metrics: [String: Double]
        /// Wall-clock seconds from the run's start to its end (nil while running).
        public let durationSeconds: Double?
        public let startTime: Double
        /// Whether this row holds the best value of the sort metric.
        public let isBest: Bool
        /// The parent run, for trials.
        public let parentRunID: String?
    }

    /// The metric rows are sorted by (nil: the runs' own order).
    public let sortMetric: String?
    /// Whether a larger sort metric is better.
    public let higherIsBetter: Bool
    /// Rows, best first (failed runs and runs without the metric last).
    public let rows: [Row]
    /// Parameters whose values are not the same in every run (absent counts as a value).
    public let differingParams: [String]
    /// Every parameter name, sorted.
    public let params: [String]
    /// Metrics logged once per run (step 0), the sort metric first.
    public let summaryMetrics: [String]
    /// Metrics logged per step (training curves); their latest value is in `metrics`.
    public let historyMetrics: [String]

    /// Loads `runIDs` and sorts them by `metric` (nil: the primary metric of their common
    /// AutoML parent, `val_<primary_metric>_final`, when they have one).
    public static func load(store: TrackingStore, runIDs: [String], metric: String? = nil, higherIsBetter: Bool? = nil) throws -> RunComparison {
        guard !runIDs.isEmpty else { throw ReportError.noRuns }
        let runs = try runIDs.map { try store.run(id: $0) }
        var sortMetric = metric
        var higher = higherIsBetter ?? true
        if metric == nil, let parent = runs.first?.info.parentRunID, runs.allSatisfy({ $0.info.parentRunID == parent }),
           let primary = try store.params(runID: parent)["primary_metric"] {
            sortMetric = AutoMLNames.trialMetric(primary)
            higher = higherIsBetter ?? AutoMLNames.higherIsBetter(primary)
        } else if let metric, higherIsBetter == nil {
            higher = AutoMLNames.higherIsBetter(metric)
        }
        return make(runs: runs, sortMetric: sortMetric, higherIsBetter: higher)
    }

    /// Builds the comparison of loaded runs.
    static func make(runs: [Run], sortMetric: String?, higherIsBetter: Bool) -> RunComparison {
        var rows = runs.map { run -> Row in
            let info = run.info
            return Row(runID: info.runID, name: info.name, status: info.status.rawValue,
                       trial: run.data.tags[AutoMLNames.trialTag].flatMap { Int($0) },
                       algorithm: run.data.params["algorithm"] ?? run.data.tags[AutoMLNames.algorithmTag],
                       params: run.data.params, metrics: run.data.metrics.mapValues(\.value),
                       durationSeconds: info.endTime.map { $0.timeIntervalSince(info.startTime) },
                       startTime: info.startTime.timeIntervalSince1970, isBest: false, parentRunID: info.parentRunID)
        }
        if let sortMetric {
            func value(_ row: Row) -> Double? { row.metrics[sortMetric].flatMap { $0.isFinite ? $0 : nil } }
            rows = rows.enumerated().sorted { lhs, rhs in
                switch (value(lhs.element), value(rhs.element)) {
                case let (l?, r?) where l != r: return higherIsBetter ? l > r : l < r
                case (_?, nil): return true
                case (nil, _?): return false
                default: return lhs.offset < rhs.offset
                }
            }.map(\.element)
            if let first = rows.first, value(first) != nil {
                rows = rows.map { row in
                    Row(runID: row.runID, name: row.name, status: row.status, trial: row.trial, algorithm: row.algorithm, params: row.params,
                        metrics: row.metrics, durationSeconds: row.durationSeconds, startTime: row.startTime,
                        isBest: row.runID == first.runID, parentRunID: row.parentRunID)
                }
            }
        }
        let allParams = Set(rows.flatMap(\.params.keys)).sorted()
        let differing = allParams.filter { key in Set(rows.map { $0.params[key] ?? "\u{0}absent" }).count > 1 }
        var summary = Set<String>(), history = Set<String>()
        for run in runs {
            for (key, metric) in run.data.metrics { if metric.step > 0 { history.insert(key) } else { summary.insert(key) } }
        }
        summary.subtract(history)
        var summaryOrdered = summary.sorted()
        if let sortMetric, let index = summaryOrdered.firstIndex(of: sortMetric) {
            summaryOrdered.remove(at: index)
            summaryOrdered.insert(sortMetric, at: 0)
        }
        return RunComparison(sortMetric: sortMetric, higherIsBetter: higherIsBetter, rows: rows, differingParams: differing,
                             params: allParams, summaryMetrics: summaryOrdered, historyMetrics: history.sorted())
    }

    /// The best row, if any row has the sort metric.
    public var best: Row? { rows.first(where: \.isBest) }
}

/// The names the AutoML step logs under (see `DGAModel`'s `TrialLogger` and step 02).
public enum AutoMLNames {
    /// Tag holding a trial's number.
    public static let trialTag = "automl.trial"
    /// Tag holding a trial's algorithm.
    public static let algorithmTag = "automl.algorithm"
    /// The parent run's artifact with the best trials on the test set.
    public static let testEvaluationArtifact = "test_evaluation.json"

    /// A trial's metric for primary metric `name`: `val_<name>_final`.
    public static func trialMetric(_ name: String) -> String { "val_\(name)_final" }

    /// Whether a larger value of a metric is better: all but losses and errors.
    public static func higherIsBetter(_ name: String) -> Bool {
        let lower = name.lowercased()
        return !(lower.contains("loss") || lower.contains("error") || lower.hasPrefix("duration") || lower.contains("rmse") || lower.contains("mae"))
    }
}
