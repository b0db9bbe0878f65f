import Foundation
import Reports
import Testing
import TestSupport
import Tracking

/// The comparison model on runs written to a real store: order, best, differing parameters.
@Suite struct ComparisonTests {
    /// A parent with three trials; log_loss is the primary metric, so lower is better.
    static func makeStore() throws -> (TemporaryDirectory, TrackingStore, parent: String, trials: [String]) {
        let directory = try TemporaryDirectory("runme-reports")
        let store = try TrackingStore.open(at: directory.url)
        let experiment = try store.createExperiment(name: "exp")
        let parent = try store.createRun(experimentID: experiment.id, name: "02_automl")
        try store.logParam(runID: parent.runID, key: "primary_metric", value: "log_loss")
        var ids: [String] = []
        let specs: [(String, [String: String], Double)] = [
            ("xgboost", ["algorithm": "xgboost", "max_depth": "3", "eta": "0.3", "seed": "1"], 0.30),
            ("xgboost", ["algorithm": "xgboost", "max_depth": "6", "eta": "0.3", "seed": "1"], 0.12),
            ("linear", ["algorithm": "linear", "lambda": "<b>0.001</b>", "eta": "0.5", "seed": "1"], 0.45),
        ]
        for (index, spec) in specs.enumerated() {
            let run = try store.createRun(experimentID: experiment.id, name: "trial-\(index + 1)", parentRunID: parent.runID,
                                          tags: [AutoMLNames.trialTag: String(index + 1), AutoMLNames.algorithmTag: spec.0])
            try store.logBatch(runID: run.runID, params: spec.1, metrics: [
                Metric(key: "val_log_loss_final", value: spec.2), Metric(key: "val_f1_final", value: 1 - spec.2),
                Metric(key: "val_logloss", value: 0.6, step: 0), Metric(key: "val_logloss", value: spec.2, step: 1),
            ])
            try store.endRun(run.runID)
            ids.append(run.runID)
        }
        return (directory, store, parent.runID, ids)
    }

    @Test func trialsSortByTheParentsPrimaryMetric() throws {
        let (directory, store, _, ids) = try Self.makeStore()
        _ = directory
        let comparison = try RunComparison.load(store: store, runIDs: ids)
        #expect(comparison.sortMetric == "val_log_loss_final")
        #expect(!comparison.higherIsBetter)
        #expect(comparison.rows.map(\.runID) == [ids[1], ids[0], ids[2]])
        #expect(comparison.rows.map(\.isBest) == [true, false, false])
        #expect(comparison.best?.trial == 2)
        // eta differs (0.3, 0.3, 0.5); seed is the same everywhere; lambda and max_depth are absent from some.
        #expect(comparison.differingParams == ["algorithm", "eta", "lambda", "max_depth"])
        #expect(comparison.params == ["algorithm", "eta", "lambda", "max_depth", "seed"])
        #expect(comparison.historyMetrics == ["val_logloss"])
        #expect(comparison.summaryMetrics.first == "val_log_loss_final")
        #expect(comparison.rows[0].metrics["val_logloss"] == 0.12)
    }

    @Test func anExplicitMetricOverridesTheParents() throws {
        let (directory, store, _, ids) = try Self.makeStore()
        _ = directory
        let comparison = try RunComparison.load(store: store, runIDs: ids, metric: "val_f1_final")
        #expect(comparison.higherIsBetter)
        #expect(comparison.rows.map(\.runID) == [ids[1], ids[0], ids[2]])
        let unknown = try RunComparison.load(store: store, runIDs: ids, metric: "no_such_metric")
        #expect(unknown.rows.map(\.runID) == ids)
        #expect(unknown.best == nil)
    }

    @Test func theNewestAutoMLRunIsReported() throws {
        let (directory, store, parent, _) = try Self.makeStore()
        _ = directory
        let report = try ExperimentReport.load(store: store, experiment: "exp")
        #expect(report.parent.info.runID == parent)
        #expect(report.primaryMetric == "log_loss")
        #expect(report.testEvaluation == nil)
        // The best trial with a curve gets its history loaded.
        #expect(report.histories.keys.contains(report.comparison.rows[0].runID))
        #expect(report.histories[report.comparison.rows[0].runID]?["val_logloss"]?.map(\.value) == [0.6, 0.12])
        #expect(throws: ReportError.self) { try ExperimentReport.load(store: store, experiment: "missing") }
        #expect(throws: ReportError.notAnAutoMLRun(runID: report.comparison.rows[0].runID)) {
            try ExperimentReport.load(store: store, parentRunID: report.comparison.rows[0].runID)
        }
    }

    @Test func pageEscapesValuesAndMarksDifferingParameters() throws {
        let (directory, store, _, _) = try Self.makeStore()
        _ = directory
        let html = ComparisonPage.render(try ExperimentReport.load(store: store, experiment: "exp"))
        #expect(!html.contains("<b>0.001</b>"))
        #expect(html.contains("&lt;b&gt;0.001&lt;/b&gt;"))
        let headers = PageText.tableHeaders(html, id: "trial-table")
        #expect(headers.contains("eta"))
        #expect(html.contains("<th scope=\"col\" class=\"diff\" aria-sort=\"none\"><button type=\"button\" data-col=\"5\">eta"))
        #expect(!html.contains("class=\"diff\" aria-sort=\"none\"><button type=\"button\" data-col=\"8\">seed"))
        // Self-contained: nothing loaded from elsewhere.
        #expect(!html.contains("src="))
        #expect(!html.contains("href=\"http"))
        #expect(!html.contains("@import"))
    }
}
