import ArgumentParser
import Foundation
import Reports
import Tracking

/// `runme report`: an AutoML run's trials compared, in the terminal, as JSON, or as a page.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Compare the trials of an AutoML run: a table, JSON, or an HTML page with charts.",
        discussion: """
            Without --run, reports the newest AutoML run of EXPERIMENT (default dns_analytics, \
            the job's experiment). The table lists the trials best first by the run's primary \
            metric on validation (val_<primary_metric>_final), with the parameters that differ \
            between trials, every metric logged once per trial, and the duration; ★ marks the best.

            --html FILE writes a self-contained page (no network needed, prints well): the \
            run's test figures and its held-out figures (overall, and per DGA family the share \
            caught and the ROC AUC against the held-out legit names), the same \
            table, sortable, with differing parameters highlighted, and charts drawn as inline \
            SVG: the primary metric per trial in order, parallel coordinates of the \
            hyperparameters, training curves of the best trials, ROC and precision-recall \
            curves and confusion matrices of the best trials on the test set, and the best \
            model's feature importance.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: "The experiment (see `runme experiments`).")
    var experiment: String = "dns_analytics"

    @Option(name: .customLong("run"), help: ArgumentHelp("The AutoML run to report (the 02_automl task's tracking run id, or its first 6 or more characters) instead of the newest.", valueName: "run-id"))
    var parentRunID: String?

    @Option(name: .long, help: ArgumentHelp("Write the HTML report to this file.", valueName: "file"))
    var html: String?

    func run() throws {
        let store = try storeOptions.openForReading()
        let report = try parentRunID.map { try ExperimentReport.load(store: store, parentRunID: try store.runID(matching: $0)) }
            ?? ExperimentReport.load(store: store, experiment: experiment)
        if let html {
            let url = URL(fileURLWithPath: html).standardizedFileURL
            try ReportFile.write(ComparisonPage.render(report), to: url)
            if !output.json { print("Wrote \(url.path)") }
        }
        if output.json {
            try JSONOutput.print(ReportJSON(report))
            return
        }
        if html == nil {
            print("AutoML run \(report.parent.info.name) (\(report.parent.info.runID)) of \(report.experimentName): \(report.comparison.rows.count) trials, primary metric \(report.primaryMetric ?? "unknown")")
            print(ComparisonTable.render(report.comparison), terminator: "")
        }
    }
}

/// The JSON of `runme report --json`.
struct ReportJSON: Encodable {
    var experiment: String
    var runID: String
    var runName: String
    var primaryMetric: String?
    var params: [String: String]
    var metrics: [String: Double]
    var comparison: RunComparison
    var testEvaluation: TestEvaluationFile?

    init(_ report: ExperimentReport) {
        experiment = report.experimentName
        runID = report.parent.info.runID
        runName = report.parent.info.name
        primaryMetric = report.primaryMetric
        params = report.parent.data.params
        metrics = report.parent.data.metrics.mapValues(\.value)
        comparison = report.comparison
        testEvaluation = report.testEvaluation
    }
}

/// `runme compare`: any runs side by side.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare runs side by side: the parameters that differ, every metric, the duration.",
        discussion: """
            Runs are sorted by --metric, or, when they are trials of one AutoML run, by its \
            primary metric (val_<primary_metric>_final); otherwise they stay in the order given. \
            Run ids are listed by `runme runs show JOB_RUN_ID` and `runme report`.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: "The tracking run ids to compare (each may be a prefix of 6 or more characters that only one run's id starts with, as reports show them).")
    var runIDs: [String]

    @Option(name: .long, help: ArgumentHelp("Sort by this metric.", valueName: "key"))
    var metric: String?

    @Flag(name: .long, help: "A lower --metric is better (default: higher, except losses and errors).")
    var lowerIsBetter = false

    @Option(name: .long, help: ArgumentHelp("Also write an HTML page with the table and charts to this file.", valueName: "file"))
    var html: String?

    func validate() throws {
        if runIDs.isEmpty { throw ValidationError("name at least one run id to compare") }
    }

    func run() throws {
        let store = try storeOptions.openForReading()
        let runIDs = try self.runIDs.map { try store.runID(matching: $0) }
        let comparison = try RunComparison.load(store: store, runIDs: runIDs, metric: metric, higherIsBetter: lowerIsBetter ? false : nil)
        if let html {
            var histories: [String: [String: [ExperimentReport.HistoryPoint]]] = [:]
            for row in comparison.rows.prefix(ExperimentReport.historyTrials) {
                var byKey: [String: [ExperimentReport.HistoryPoint]] = [:]
                for key in comparison.historyMetrics {
                    byKey[key] = try store.metricHistory(runID: row.runID, key: key).map { ExperimentReport.HistoryPoint(step: $0.step, value: $0.value) }
                }
                histories[row.runID] = byKey
            }
            let url = URL(fileURLWithPath: html).standardizedFileURL
            try ReportFile.write(ComparisonPage.render(comparison, histories: histories), to: url)
            if !output.json { print("Wrote \(url.path)") }
        }
        if output.json {
            try JSONOutput.print(comparison)
            return
        }
        print(ComparisonTable.render(comparison), terminator: "")
    }
}

/// The terminal table of a comparison.
enum ComparisonTable {
    static func render(_ comparison: RunComparison) -> String {
        let params = comparison.differingParams.filter { $0 != "algorithm" }
        var table = TextTable(["rank", "trial", "run", "algorithm"] + params + comparison.summaryMetrics + ["duration"])
        for (index, row) in comparison.rows.enumerated() {
            var cells = [row.isBest ? "★1" : String(index + 1), row.trial.map(String.init) ?? "-", String(row.runID.prefix(12)), row.algorithm ?? "-"]
            cells += params.map { row.params[$0] ?? "-" }
            cells += comparison.summaryMetrics.map { ReportNumber.metric(row.metrics[$0]) }
            cells.append(row.durationSeconds.map(Format.duration) ?? "-")
            table.add(cells)
        }
        var out = table.render()
        if let key = comparison.sortMetric {
            out += "Sorted by \(key) (\(comparison.higherIsBetter ? "higher" : "lower") is better); ★ marks the best. "
        }
        out += "Parameters shown: the \(params.count) that differ (of \(comparison.params.count)).\n"
        return out
    }
}
