import Foundation
import Tracking

/// Everything the experiment report shows about one AutoML run: its trials (nested runs), the
/// parent's settings and test figures, the best trials' training curves, and the test-set
/// curves and feature importance the AutoML step saved.
public struct ExperimentReport: Sendable {
    /// One point of a metric history.
    public struct HistoryPoint: Sendable, Encodable {
        public let step: Int
        public let value: Double

        /// A point.
        public init(step: Int, value: Double) {
            self.step = step
            self.value = value
        }
    }

    /// The experiment's name.
    public let experimentName: String
    /// The AutoML (parent) run.
    public let parent: Run
    /// The trials compared, best first.
    public let comparison: RunComparison
    /// The primary metric's name as the AutoML step logs it (`f1`, `roc_auc`, …).
    public let primaryMetric: String?
    /// Training curves of the best few trials: run id → metric key → points by step.
    public let histories: [String: [String: [HistoryPoint]]]
    /// The best trials on the test set, when the AutoML step saved them.
    public let testEvaluation: TestEvaluationFile?
    /// When the report was made.
    public let generatedAt: Date

    /// How many of the best trials get training-curve charts.
    public static let historyTrials = 3

    /// Loads the report of `parentRunID`, or of the newest AutoML run of `experiment`.
    public static func load(store: TrackingStore, experiment: String, parentRunID: String? = nil) throws -> ExperimentReport {
        guard let found = try store.experiment(named: experiment) else {
            throw ReportError.experimentNotFound(name: experiment, known: try store.experiments().map(\.experiment.name))
        }
        let parentID: String
        if let parentRunID {
            parentID = parentRunID
        } else {
            guard let latest = try latestAutoMLRun(store: store, experimentID: found.id) else {
                throw ReportError.noAutoMLRun(experiment: experiment)
            }
            parentID = latest
        }
        return try load(store: store, parentRunID: parentID, experimentName: found.name)
    }

    /// Loads the report of the AutoML run `parentRunID`.
    public static func load(store: TrackingStore, parentRunID: String, experimentName: String? = nil) throws -> ExperimentReport {
        let parent = try store.run(id: parentRunID)
        let children = try store.childRuns(of: parentRunID)
        let trials = try children.map { try store.run(id: $0.runID) }.filter { $0.data.tags[AutoMLNames.trialTag] != nil }
        guard !trials.isEmpty else { throw ReportError.notAnAutoMLRun(runID: parentRunID) }
        let ordered = trials.sorted { (Int($0.data.tags[AutoMLNames.trialTag] ?? "") ?? 0) < (Int($1.data.tags[AutoMLNames.trialTag] ?? "") ?? 0) }
        let primary = parent.data.params["primary_metric"]
        let comparison = RunComparison.make(runs: ordered, sortMetric: primary.map(AutoMLNames.trialMetric),
                                            higherIsBetter: primary.map(AutoMLNames.higherIsBetter) ?? true)
        var histories: [String: [String: [HistoryPoint]]] = [:]
        // The best trials that have curves: a random forest trains one round, a point, not a curve.
        for row in comparison.rows where histories.count < historyTrials {
            guard comparison.historyMetrics.contains(where: { key in row.metrics[key] != nil }) else { continue }
            var byKey: [String: [HistoryPoint]] = [:]
            for key in comparison.historyMetrics {
                let points = try store.metricHistory(runID: row.runID, key: key)
                if points.count > 1 { byKey[key] = points.map { HistoryPoint(step: $0.step, value: $0.value) } }
            }
            if !byKey.isEmpty { histories[row.runID] = byKey }
        }
        var evaluation: TestEvaluationFile?
        let artifact = try store.artifactDirectory(runID: parentRunID).appendingPathComponent(AutoMLNames.testEvaluationArtifact)
        if let data = try? Data(contentsOf: artifact) {
            evaluation = try TestEvaluationFile.decode(data, path: artifact.path)
        }
        let name = try experimentName ?? store.experiment(id: parent.info.experimentID)?.name ?? String(parent.info.experimentID)
        return ExperimentReport(experimentName: name, parent: parent, comparison: comparison, primaryMetric: primary,
                                histories: histories, testEvaluation: evaluation, generatedAt: Date())
    }

    /// The newest run of the experiment with trials nested in it.
    static func latestAutoMLRun(store: TrackingStore, experimentID: Int64) throws -> String? {
        // Trials are the nested runs; their parent is the AutoML task's run. Newest first.
        for run in try store.runs(experimentID: experimentID) where run.parentRunID != nil {
            guard let parentID = run.parentRunID else { continue }
            if try store.tags(runID: run.runID)[AutoMLNames.trialTag] != nil { return parentID }
        }
        return nil
    }
}
