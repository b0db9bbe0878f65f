import Foundation
import Tracking

/// The HTML page of `runme report` and `runme compare --html`: the trial table (sortable,
/// differing parameters highlighted) and the charts.
public enum ComparisonPage {
    /// The page of an AutoML run's trials.
    public static func render(_ report: ExperimentReport) -> String {
        let parent = report.parent
        var body = summary(report)
        body += heldOut(report.parent)
        body += trialTable(report.comparison)
        body += charts(report.comparison, primary: report.primaryMetric, histories: report.histories, evaluation: report.testEvaluation)
        let title = "AutoML report: \(report.experimentName)"
        let subtitle = "Run \(parent.info.name) (\(parent.info.runID)), \(report.comparison.rows.count) trials; generated \(ReportNumber.utc(report.generatedAt.timeIntervalSince1970)) by runme"
        return HTML.document(title: title, subtitle: subtitle, body: body)
    }

    /// The page of any runs compared.
    public static func render(_ comparison: RunComparison, histories: [String: [String: [ExperimentReport.HistoryPoint]]] = [:],
                              generatedAt: Date = Date()) -> String {
        var body = trialTable(comparison)
        body += charts(comparison, primary: nil, histories: histories, evaluation: nil)
        return HTML.document(title: "Run comparison: \(comparison.rows.count) runs",
                             subtitle: "Sorted by \(comparison.sortMetric ?? "start time"); generated \(ReportNumber.utc(generatedAt.timeIntervalSince1970)) by runme",
                             body: body)
    }

    // MARK: Sections

    private static func summary(_ report: ExperimentReport) -> String {
        let parent = report.parent
        let comparison = report.comparison
        let failed = comparison.rows.filter { $0.status != RunStatus.finished.rawValue }.count
        var pairs: [(String, String)] = [
            ("experiment", report.experimentName),
            ("AutoML run", "\(parent.info.name) (\(parent.info.runID))"),
            ("status", parent.info.status.rawValue),
            ("started", ReportNumber.utc(parent.info.startTime.timeIntervalSince1970)),
            ("trials", "\(comparison.rows.count) (\(failed) failed)"),
        ]
        if let primary = report.primaryMetric {
            pairs.append(("primary metric", "\(primary) on validation (\(AutoMLNames.higherIsBetter(primary) ? "higher" : "lower") is better)"))
        }
        if let best = comparison.best, let key = comparison.sortMetric {
            pairs.append(("best trial", "trial \(best.trial.map(String.init) ?? "?") · \(best.algorithm ?? "") · \(key) = \(ReportNumber.metric(best.metrics[key]))"))
        }
        for key in ["search_seconds", "registered_version"] {
            if let metric = parent.data.metrics[key] { pairs.append((key, ReportNumber.metric(metric.value))) }
        }
        for key in ["champion_decision", "stopped_by_budget", "timeout_minutes", "max_trials", "seed"] {
            if let value = parent.data.params[key] { pairs.append((key, value)) }
        }
        var out = HTML.keyValues(pairs, caption: "The search")
        let testKeys = parent.data.metrics.keys.filter { $0.hasPrefix("test_") }.sorted()
        if !testKeys.isEmpty {
            out += HTML.table(headers: [("metric", []), ("best model on the test set", ["num"])],
                              rows: testKeys.map { key in
                                  (cells: [HTML.Cell(html: HTML.escape(key), sortKey: nil, header: true),
                                           .number(parent.data.metrics[key]?.value, ReportNumber.metric(parent.data.metrics[key]?.value))], classes: [])
                              }, caption: "Test set (held out), the handed-on model at its threshold")
        }
        return HTML.section("summary", "Summary", out)
    }

    /// The final model on domains in neither training list, from the AutoML run's `heldout_*`
    /// metrics (none for runs that did not evaluate it): the overall figures, then per family
    /// the share caught at the threshold and the family's ROC AUC against the legit labels,
    /// lowest first, since the overall ROC AUC is their mean and the lowest hold it down.
    static func heldOut(_ parent: Run) -> String {
        let metrics = parent.data.metrics.mapValues(\.value)
        guard let overall = metrics["heldout_roc_auc"] else { return "" }
        func share(_ value: Double?) -> String { value.map { String(format: "%.2f%%", 100 * $0) } ?? "–" }
        var out = HTML.keyValues([
            ("ROC AUC, all held-out labels", ReportNumber.metric(overall)),
            ("ROC AUC, character-level families only", ReportNumber.metric(metrics["heldout_roc_auc_char_families"])),
            ("legit labels flagged at the threshold", share(metrics["heldout_legit_flagged_share"])),
            ("DGA labels caught at the threshold", share(metrics["heldout_ioc_recall"])),
        ], caption: "The final model on held-out domains")
        let recallPrefix = "heldout_recall_", aucPrefix = "heldout_roc_auc_"
        let families = metrics.keys.filter { $0.hasPrefix(recallPrefix) }.map { String($0.dropFirst(recallPrefix.count)) }
            .sorted { (metrics[aucPrefix + $0] ?? .infinity, $0) < (metrics[aucPrefix + $1] ?? .infinity, $1) }
        if !families.isEmpty {
            out += HTML.table(id: "heldout-table", headers: [("family", []), ("caught", ["num"]), ("ROC AUC against the legit labels", ["num"])],
                              rows: families.map { family in
                                  let caught = metrics[recallPrefix + family], auc = metrics[aucPrefix + family]
                                  return (cells: [HTML.Cell(html: HTML.escape(family), sortKey: nil, header: true),
                                                  .number(caught, share(caught)), .number(auc, ReportNumber.metric(auc))], classes: [])
                              }, caption: "Per DGA family, lowest ROC AUC first")
        }
        return HTML.section("heldout", "Held-out domains", out,
                            note: "Legit names from Debian's package homepages and names of DGA families the training lists lack, none of them in training; automl/heldout_evaluation.md says more.")
    }

    private static func trialTable(_ comparison: RunComparison) -> String {
        let differing = Set(comparison.differingParams)
        // Differing parameters first: they are what tells trials apart.
        let params = (comparison.differingParams + comparison.params.filter { !differing.contains($0) }).filter { $0 != "algorithm" }
        var headers: [(String, [String])] = [("rank", ["num"]), ("trial", ["num"]), ("run", []), ("algorithm", []), ("status", [])]
        headers += params.map { ($0, differing.contains($0) ? ["diff"] : []) }
        headers += comparison.summaryMetrics.map { ($0, ["num"]) }
        headers += comparison.historyMetrics.map { ("\($0) (last)", ["num"]) }
        headers.append(("duration", ["num"]))
        var rows: [(cells: [HTML.Cell], classes: [String])] = []
        for (index, row) in comparison.rows.enumerated() {
            var cells: [HTML.Cell] = [
                .number(Double(index + 1), row.isBest ? "★ 1 best" : String(index + 1)),
                .number(row.trial.map(Double.init), row.trial.map(String.init) ?? "–"),
                .raw("\(HTML.escape(row.name))<br><code>\(HTML.escape(String(row.runID.prefix(12))))</code>", sortKey: row.name),
                .text(row.algorithm ?? "–"),
                .text(row.status),
            ]
            for key in params {
                let value = row.params[key]
                let classes = differing.contains(key) ? ["diff"] : []
                if let value, let number = Double(value) {
                    cells.append(.number(number, value, classes: classes))
                } else {
                    cells.append(.text(value ?? "–", classes: classes))
                }
            }
            for key in comparison.summaryMetrics + comparison.historyMetrics {
                cells.append(.number(row.metrics[key], ReportNumber.metric(row.metrics[key])))
            }
            cells.append(.number(row.durationSeconds, ReportNumber.seconds(row.durationSeconds)))
            rows.append((cells: cells, classes: row.isBest ? ["best"] : []))
        }
        let note = "Sorted by \(comparison.sortMetric ?? "start time")\(comparison.sortMetric == nil ? "" : comparison.higherIsBetter ? ", highest first" : ", lowest first"). "
            + "Click a column heading to sort by it. Parameters whose values differ between runs are highlighted and marked ≠ (\(comparison.differingParams.count) of \(comparison.params.count)); the best run is marked ★."
        return HTML.section("trials", "Trials", HTML.table(id: "trial-table", headers: headers, rows: rows, sortable: true), note: note)
    }

    private static func charts(_ comparison: RunComparison, primary: String?, histories: [String: [String: [ExperimentReport.HistoryPoint]]],
                               evaluation: TestEvaluationFile?) -> String {
        var out = ""
        if let key = comparison.sortMetric {
            out += HTML.section("progress", "How the search progressed", progressChart(comparison, key: key))
            out += HTML.section("parallel", "Hyperparameters against \(key)", parallelChart(comparison, key: key))
        }
        if !histories.isEmpty, !comparison.historyMetrics.isEmpty {
            out += HTML.section("curves", "Training curves of the best trials", historyCharts(comparison, histories: histories))
        }
        if let evaluation {
            out += HTML.section("test", "The best trials on the test set", testCharts(evaluation))
            if !evaluation.featureImportance.isEmpty { out += HTML.section("importance", "Feature importance of the best model", importanceChart(evaluation)) }
        } else if primary != nil {
            out += HTML.section("test", "The best trials on the test set",
                                HTML.paragraph("This AutoML run saved no \(AutoMLNames.testEvaluationArtifact) (it predates the report): rerun the AutoML task for ROC and precision-recall curves, confusion matrices and feature importance.", className: "note"))
        }
        return out
    }

    private static func label(_ row: RunComparison.Row) -> String {
        row.trial.map { "trial \($0)" } ?? row.name
    }

    private static func progressChart(_ comparison: RunComparison, key: String) -> String {
        // In the order the runs were made: trial number, else start time.
        let ordered = comparison.rows.sorted { ($0.trial ?? 0, $0.startTime) < ($1.trial ?? 0, $1.startTime) }
        var points: [(x: Double, y: Double)] = [], running: [(x: Double, y: Double)] = []
        var bestSoFar: Double?
        var failed = 0
        for (index, row) in ordered.enumerated() {
            let x = Double(row.trial ?? index + 1)
            guard let value = row.metrics[key], value.isFinite else { failed += 1; continue }
            points.append((x, value))
            if bestSoFar.map({ comparison.higherIsBetter ? value > $0 : value < $0 }) ?? true { bestSoFar = value }
            if let bestSoFar { running.append((x, bestSoFar)) }
        }
        var annotations: [ChartAnnotation] = []
        if let best = comparison.best, let value = best.metrics[key] {
            annotations.append(ChartAnnotation(x: Double(best.trial ?? (ordered.firstIndex { $0.runID == best.runID } ?? 0) + 1), y: value,
                                               text: "best: \(label(best)), \(ReportNumber.metric(value))"))
        }
        let chart = LineChart(
            title: "\(key) per trial, in the order trials finished", xLabel: "trial", yLabel: key,
            series: [
                ChartSeries(name: "each trial", points: points, style: SeriesStyle(colour: "#0072B2", dash: "", marker: .circle),
                            line: false, markEveryPoint: true, markerRadius: points.count > 200 ? 2.5 : 3.5),
                ChartSeries(name: "best so far", points: running, style: SeriesStyle(colour: "#D55E00", dash: "7 4", marker: .square),
                            line: true, stepLine: true),
            ],
            annotations: annotations, integerX: true)
        let caption = "Each dot is a trial's \(key) on validation; the dashed step line is the best value so far."
            + (failed > 0 ? " \(failed) trial(s) without the metric (failed) are not drawn." : "")
        return HTML.figure(chart.render(), caption: caption)
    }

    private static func parallelChart(_ comparison: RunComparison, key: String) -> String {
        let rows = comparison.rows
        // Numeric parameters that differ, then algorithm, then the metric.
        var axes: [ParallelCoordinates.Axis] = []
        let algorithms = Array(Set(rows.compactMap(\.algorithm))).sorted()
        if algorithms.count > 1 {
            axes.append(.init(name: "algorithm", values: rows.map { row in row.algorithm.flatMap { algorithms.firstIndex(of: $0) }.map(Double.init) },
                              categories: algorithms))
        }
        for param in comparison.differingParams where param != "algorithm" {
            let values = rows.map { $0.params[param].flatMap(Double.init) }
            // Numeric, and more than one value among the trials that have it.
            if Set(values.compactMap { $0 }).count > 1 && rows.allSatisfy({ $0.params[param] == nil || Double($0.params[param] ?? "") != nil }) {
                axes.append(.init(name: param, values: values, categories: nil))
            }
        }
        let metricValues = rows.map { $0.metrics[key].flatMap { $0.isFinite ? $0 : nil } }
        axes.append(.init(name: key, values: metricValues, categories: nil))
        let finite = metricValues.compactMap { $0 }
        let low = finite.min() ?? 0, high = finite.max() ?? 1
        let quality = metricValues.map { value -> Double in
            guard let value, high > low else { return 0.5 }
            let unit = (value - low) / (high - low)
            return comparison.higherIsBetter ? unit : 1 - unit
        }
        let bestIndex = rows.firstIndex(where: \.isBest)
        let chart = ParallelCoordinates(title: "Hyperparameters of every trial and its \(key)", axes: axes, quality: quality, bestIndex: bestIndex,
                                        bestLabel: bestIndex.map { "best: \(label(rows[$0]))" } ?? "")
        return HTML.figure(chart.render(), caption: "One line per trial through its hyperparameter values (log axes where a parameter spans two decades or more) to its \(key). Trials whose algorithm has no such parameter pass through n/a below the axis.")
    }

    private static func historyCharts(_ comparison: RunComparison, histories: [String: [String: [ExperimentReport.HistoryPoint]]]) -> String {
        let top = comparison.rows.filter { histories[$0.runID] != nil }.prefix(ExperimentReport.historyTrials)
        // One chart per metric name, train and validation together: train dashed, validation solid.
        var bases: [String] = []
        for key in comparison.historyMetrics {
            let base = key.hasPrefix("train_") ? String(key.dropFirst(6)) : key.hasPrefix("val_") ? String(key.dropFirst(4)) : key
            if !bases.contains(base) { bases.append(base) }
        }
        var out = "<div class=\"grid\">"
        for base in bases {
            var series: [ChartSeries] = []
            for (index, row) in top.enumerated() {
                for (prefix, dash) in [("train_", "6 4"), ("val_", "")] {
                    let key = comparison.historyMetrics.contains(prefix + base) ? prefix + base : (prefix == "val_" && comparison.historyMetrics.contains(base) ? base : nil)
                    guard let key, let points = histories[row.runID]?[key], points.count > 1 else { continue }
                    var style = SeriesStyle.at(index)
                    style.dash = dash
                    series.append(ChartSeries(name: "\(label(row)) \(prefix == "train_" ? "train" : "validation")",
                                              points: points.map { (Double($0.step), $0.value) }, style: style))
                }
            }
            guard !series.isEmpty else { continue }
            let chart = LineChart(title: base, xLabel: "boosting round", yLabel: base, series: series, width: 570, height: 360, integerX: true)
            out += HTML.figure(chart.render(), caption: "\(base) per boosting round of \(top.map(label).joined(separator: ", ")) (the best trials with more than one round): training dashed, validation solid; each trial has its own colour and marker.")
        }
        return out + "</div>"
    }

    private static func testCharts(_ evaluation: TestEvaluationFile) -> String {
        let trials = evaluation.trials
        var roc: [ChartSeries] = [], pr: [ChartSeries] = []
        for (index, trial) in trials.enumerated() {
            let style = SeriesStyle.at(index)
            roc.append(ChartSeries(name: "trial \(trial.trial) (\(trial.algorithm)), AUC \(ReportNumber.metric(trial.metrics["roc_auc"]))",
                                   points: trial.roc.compactMap { $0.count == 2 ? ($0[0], $0[1]) : nil }, style: style))
            pr.append(ChartSeries(name: "trial \(trial.trial) (\(trial.algorithm)), AP \(ReportNumber.metric(trial.metrics["pr_auc"]))",
                                  points: trial.precisionRecall.compactMap { $0.count == 2 ? ($0[0], $0[1]) : nil }, style: style))
        }
        var out = HTML.paragraph("Test set: \(ReportNumber.count(evaluation.testRows)) rows, \(ReportNumber.count(evaluation.testPositives)) ioc. The \(trials.count) best trials by \(evaluation.primaryMetric) on validation.", className: "note")
        out += "<div class=\"grid\">"
        out += HTML.figure(LineChart(title: "ROC curve (test set)", xLabel: "false positive rate", yLabel: "true positive rate", series: roc,
                                     width: 570, height: 420, xRange: 0...1, yRange: 0...1, reference: (0, 0, 1, 1)).render(),
                           caption: "The dashed diagonal is a random guess.")
        let prevalence = evaluation.testRows > 0 ? Double(evaluation.testPositives) / Double(evaluation.testRows) : 0
        out += HTML.figure(LineChart(title: "Precision-recall curve (test set)", xLabel: "recall", yLabel: "precision", series: pr,
                                     width: 570, height: 420, xRange: 0...1, yRange: 0...1, reference: (0, prevalence, 1, prevalence)).render(),
                           caption: "The dashed line is the share of ioc rows (\(ReportNumber.metric(prevalence))), a random guess's precision.")
        out += "</div>"
        out += "<div class=\"grid\">"
        for trial in trials {
            let c = trial.confusion
            func cell(_ value: Int, _ what: String) -> HTML.Cell { .number(Double(value), "\(ReportNumber.count(value)) \(what)") }
            out += HTML.table(headers: [("", []), ("flagged ioc", ["num"]), ("passed as legit", ["num"])], rows: [
                (cells: [HTML.Cell(html: "ioc (truth)", sortKey: nil, header: true), cell(c.truePositives, "TP"), cell(c.falseNegatives, "FN")], classes: []),
                (cells: [HTML.Cell(html: "legit (truth)", sortKey: nil, header: true), cell(c.falsePositives, "FP"), cell(c.trueNegatives, "TN")], classes: []),
            ], caption: "Trial \(trial.trial) (\(trial.algorithm)) at threshold \(ReportNumber.metric(trial.threshold)): precision \(ReportNumber.metric(trial.metrics["precision"])), recall \(ReportNumber.metric(trial.metrics["recall"])), F1 \(ReportNumber.metric(trial.metrics["f1"]))")
        }
        return out + "</div>"
    }

    private static func importanceChart(_ evaluation: TestEvaluationFile) -> String {
        let items = evaluation.featureImportance.map { (name: $0.feature, value: $0.score, shown: ReportNumber.metric($0.score)) }
        let best = evaluation.trials.first { $0.runID == evaluation.bestRunID }
        let chart = HorizontalBarChart(title: "Feature importance (\(evaluation.importanceType))", items: items, valueLabel: evaluation.importanceType)
        return HTML.figure(chart.render(), caption: "The best model\(best.map { " (trial \($0.trial), \($0.algorithm))" } ?? ""): \(evaluation.importanceType == "weight" ? "the linear model's weights, largest magnitude first; negative weights are hatched" : "average loss reduction of the splits on each feature"), top \(items.count).")
    }
}
