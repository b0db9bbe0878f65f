import Foundation
import Hashing
import Tracking

/// `runme bench report`: the time to make the experiment report of an AutoML run with many
/// trials (target: under 2 s for 500 trials).
///
/// Builds a store in a temporary directory with one AutoML parent run and `trials` nested
/// trial runs shaped like the AutoML step's (three algorithms, their hyperparameters, the
/// eight validation metrics, per-round train/validation logloss and AUC, a test evaluation
/// artifact), then times loading, rendering and writing the page.
public enum ReportBenchmark {
    /// One measured figure.
    public struct Figure: Sendable, Encodable {
        public let name: String
        public let value: Double
        public let unit: String
        public let target: Double?
    }

    /// Runs the benchmark; `progress` gets a line per phase.
    public static func run(in base: URL, trials: Int = 500, repeats: Int = 5, progress: (String) -> Void = { _ in }) throws -> [Figure] {
        let directory = base.appendingPathComponent("runme-bench-report-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let setupStart = Date()
        let (store, historyPoints) = try makeStore(at: directory, trials: trials)
        progress("store with \(trials) trials and \(historyPoints) history points made in \(String(format: "%.1f", Date().timeIntervalSince(setupStart))) s")

        var loads: [Double] = [], renders: [Double] = [], totals: [Double] = []
        var size = 0
        let page = directory.appendingPathComponent("report.html")
        for _ in 0..<max(1, repeats) {
            let clock = ContinuousClock()
            let start = clock.now
            let report = try ExperimentReport.load(store: store, experiment: experimentName)
            let loaded = clock.now
            let html = ComparisonPage.render(report)
            let rendered = clock.now
            try html.writeReport(to: page)
            let written = clock.now
            size = html.utf8.count
            loads.append(seconds(loaded - start))
            renders.append(seconds(rendered - loaded))
            totals.append(seconds(written - start))
        }
        progress("page: \(size / 1024) KiB")
        return [
            Figure(name: "report for \(trials) trials (median, load + render + write)", value: median(totals), unit: "s", target: 2),
            Figure(name: "  load from the store", value: median(loads), unit: "s", target: nil),
            Figure(name: "  render HTML and SVG", value: median(renders), unit: "s", target: nil),
            Figure(name: "page size", value: Double(size) / 1024, unit: "KiB", target: nil),
        ]
    }

    /// The experiment `makeStore` creates.
    public static let experimentName = "bench_report"

    /// Creates a store at `directory` with one AutoML run of `trials` trials (experiment
    /// `experimentName`); returns it and the number of history points logged. Values are
    /// seeded, so two stores made alike hold the same numbers.
    public static func makeStore(at directory: URL, trials: Int, seed: UInt64 = 42) throws -> (TrackingStore, Int) {
        let store = try TrackingStore.open(at: directory)
        let experiment = try store.createExperiment(name: experimentName)
        let parent = try store.createRun(experimentID: experiment.id, name: "02_automl")
        try store.logBatch(runID: parent.runID, params: ["primary_metric": "f1", "max_trials": String(trials), "seed": "42"],
                           metrics: [Metric(key: "test_f1", value: 0.93), Metric(key: "trial_count", value: Double(trials))])
        var generator = SplitMix64(seed: seed)  // seeded, so benchmark stores are reproducible
        var historyPoints = 0
        var trialRunIDs: [String] = []
        for number in 1...trials {
            let algorithm = ["xgboost", "random_forest", "linear"][number % 3]
            let run = try store.createRun(experimentID: experiment.id, name: "trial-\(number)-\(algorithm)", parentRunID: parent.runID,
                                          tags: [AutoMLNames.trialTag: String(number), AutoMLNames.algorithmTag: algorithm])
            var params = ["algorithm": algorithm]
            switch algorithm {
            case "xgboost":
                params["rounds"] = String(Int.random(in: 4...400, using: &generator))
                params["max_depth"] = String(Int.random(in: 2...12, using: &generator))
                params["eta"] = String(format: "%.4g", Double.random(in: 0.01...1, using: &generator))
                params["min_child_weight"] = String(format: "%.4g", Double.random(in: 0.1...32, using: &generator))
                params["subsample"] = String(format: "%.4g", Double.random(in: 0.5...1, using: &generator))
                params["colsample_bytree"] = String(format: "%.4g", Double.random(in: 0.5...1, using: &generator))
                params["lambda"] = String(format: "%.4g", Double.random(in: 0.01...100, using: &generator))
            case "random_forest":
                params["trees"] = String(Int.random(in: 4...300, using: &generator))
                params["max_depth"] = String(Int.random(in: 3...16, using: &generator))
                params["subsample"] = String(format: "%.4g", Double.random(in: 0.5...1, using: &generator))
                params["colsample_bynode"] = String(format: "%.4g", Double.random(in: 0.3...1, using: &generator))
            default:
                params["rounds"] = String(Int.random(in: 4...200, using: &generator))
                params["eta"] = String(format: "%.4g", Double.random(in: 0.05...1, using: &generator))
                params["lambda"] = String(format: "%.4g", Double.random(in: 1e-4...10, using: &generator))
                params["alpha"] = String(format: "%.4g", Double.random(in: 1e-5...1, using: &generator))
            }
            params["scale_pos_weight"] = "3.2"
            var metrics: [Metric] = []
            for name in ["accuracy", "precision", "recall", "f1", "roc_auc", "pr_auc", "threshold"] {
                metrics.append(Metric(key: "val_\(name)_final", value: Double.random(in: 0.7...0.99, using: &generator)))
            }
            metrics.append(Metric(key: "val_log_loss_final", value: Double.random(in: 0.05...0.6, using: &generator)))
            let rounds = algorithm == "random_forest" ? 1 : Int.random(in: 4...120, using: &generator)
            for step in 0..<rounds {
                let t = Double(step + 1)
                metrics.append(Metric(key: "train_logloss", value: 0.7 / t.squareRoot(), step: step))
                metrics.append(Metric(key: "val_logloss", value: 0.7 / t.squareRoot() + 0.01, step: step))
                metrics.append(Metric(key: "train_auc", value: 1 - 0.3 / t, step: step))
                metrics.append(Metric(key: "val_auc", value: 1 - 0.32 / t, step: step))
            }
            historyPoints += rounds * 4
            metrics.append(Metric(key: "duration_seconds", value: Double.random(in: 0.1...20, using: &generator)))
            metrics.append(Metric(key: "rounds_trained", value: Double(rounds)))
            try store.logBatch(runID: run.runID, params: params, metrics: metrics)
            try store.endRun(run.runID)
            trialRunIDs.append(run.runID)
        }
        try store.writeArtifact(runID: parent.runID, data: try evaluationArtifact(trialRunIDs: Array(trialRunIDs.prefix(3))),
                                artifactPath: AutoMLNames.testEvaluationArtifact)
        try store.endRun(parent.runID)
        return (store, historyPoints)
    }

    private static func evaluationArtifact(trialRunIDs: [String]) throws -> Data {
        var trials: [[String: Any]] = []
        for (index, runID) in trialRunIDs.enumerated() {
            let roc = (0...400).map { i -> [Double] in let x = Double(i) / 400; return [x, pow(x, 0.1 + 0.05 * Double(index))] }
            let pr = (0...400).map { i -> [Double] in let r = Double(i) / 400; return [r, 1 - 0.3 * pow(r, 4)] }
            trials.append(["trial": index + 1, "runID": runID, "algorithm": "xgboost", "validationScore": 0.95 - 0.01 * Double(index),
                           "threshold": 0.5, "confusion": ["truePositives": 900, "falsePositives": 40, "trueNegatives": 3000, "falseNegatives": 60],
                           "metrics": ["f1": 0.94, "roc_auc": 0.98, "pr_auc": 0.96, "precision": 0.95, "recall": 0.93],
                           "roc": roc, "precisionRecall": pr])
        }
        let object: [String: Any] = ["primaryMetric": "f1", "testRows": 4000, "testPositives": 960, "trials": trials,
                                     "bestRunID": trialRunIDs.first ?? "", "importanceType": "gain",
                                     "featureImportance": (0..<12).map { ["feature": "feature_\($0)", "score": 10.0 / Double($0 + 1)] }]
        return try JSONSerialization.data(withJSONObject: object)
    }

    private static func seconds(_ duration: Duration) -> Double {
        duration / .seconds(1)
    }

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }
}
