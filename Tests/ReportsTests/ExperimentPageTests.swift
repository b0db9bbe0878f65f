import DGAModel
import Foundation
import Reports
import Testing
import TestSupport
import Tracking

/// The experiment report of a real (small) AutoML search on the shared data, rendered in
/// headless Chromium: no console message, a screenshot with content, and the page's numbers
/// equal to the store's.
@Suite(.serialized) struct ExperimentPageTests {
    @Test func reportOfARealSearchRendersTheStoresNumbers() async throws {
        let directory = try TemporaryDirectory("runme-report")
        let store = try TrackingStore.open(at: directory.url.appendingPathComponent("store"))
        let data = try AutoMLFixture.dataset()
        let experiment = try store.getOrCreateExperiment(named: "dns_analytics")
        let parent = try store.createRun(experimentID: experiment.id, name: "02_automl")
        try store.logParam(runID: parent.runID, key: "primary_metric", value: "f1")
        let search = AutoMLSearch(data: data, settings: AutoMLSettings(timeBudgetSeconds: 60, maxTrials: 4),
                                  tracking: AutoMLTracking(store: store, experimentID: experiment.id, parentRunID: parent.runID))
        let result = try await search.run()
        let evaluation = try TestSetEvaluation.evaluate(result, data: data, metric: .f1)
        try store.writeArtifact(runID: parent.runID, data: try evaluation.jsonData(), artifactPath: TestSetEvaluation.artifactPath)
        let best = try result.testReport(data: data)
        try store.logBatch(runID: parent.runID, metrics: best.namedMetrics.map { Metric(key: "test_" + $0.key, value: $0.value) })
        // The held-out evaluation, as step 02 logs it (a small set: 20 labels per family).
        let words = try DictionaryWords.load()
        let text = try String(contentsOfFile: "/usr/share/common-licenses/GPL-3", encoding: .utf8).split { !$0.isLetter }.map { $0.lowercased() }
        let heldOutSet = try HeldOutSet.build(legitLabels: ["gnupg", "xiph", "kernel", "debian", "libreoffice", "freedesktop", "videolan", "mozilla"],
                                              legitSource: "test", excluding: Set(data.labels), dictionaryWords: words, textWords: text, perFamily: 20)
        let heldOut = try result.heldOutReport(data: data, heldOut: heldOutSet)
        try store.logBatch(runID: parent.runID, metrics: heldOut.metrics.map { Metric(key: $0.key, value: $0.value) })
        try store.endRun(parent.runID)

        // The artifact: the best trial first, its confusion matrix the test report's.
        #expect(evaluation.trials.count == 3)
        #expect(evaluation.trials.first?.runID == result.best.runID)
        #expect(evaluation.trials.first?.confusion == best.confusion)
        #expect(evaluation.testRows == data.truth.test.count)
        #expect(evaluation.trials.allSatisfy { $0.roc.first == [0, 0] && $0.roc.last == [1, 1] && $0.roc.count <= TestSetEvaluation.maximumCurvePoints })
        #expect(!evaluation.featureImportance.isEmpty)

        let report = try ExperimentReport.load(store: store, experiment: "dns_analytics")
        #expect(report.parent.info.runID == parent.runID)
        #expect(report.comparison.rows.count == 4)
        #expect(report.comparison.best?.runID == result.best.runID)
        #expect(report.testEvaluation?.trials.map(\.runID) == evaluation.trials.map(\.runID))
        let page = directory.file("report.html")
        try ReportFile.write(ComparisonPage.render(report), to: page)

        let (dom, console) = try HeadlessChromium.dumpDOM(page)
        #expect(console.isEmpty, "console: \(console)")
        // The trial table: every trial once, best first, metric and run id as in the store.
        let rows = PageText.tableRows(dom, id: "trial-table")
        let headers = PageText.tableHeaders(dom, id: "trial-table")
        #expect(rows.count == 4)
        let f1Column = try #require(headers.firstIndex(of: "val_f1_final"))
        for (row, expected) in zip(rows, report.comparison.rows) {
            let stored = try store.run(id: expected.runID)
            #expect(row[2].hasSuffix(String(expected.runID.prefix(12))))
            #expect(row[f1Column] == ReportNumber.metric(stored.data.metrics["val_f1_final"]?.value))
            #expect(row[1] == stored.data.tags[AutoMLNames.trialTag])
        }
        #expect(rows[0][0].contains("best"))
        let bestRunID = try #require(result.best.runID)
        let storedBest = try #require(try store.run(id: bestRunID).data.metrics["val_f1_final"]?.value)
        #expect(rows[0][f1Column] == ReportNumber.metric(storedBest))
        // The confusion matrix of the best trial, as counted on the test set.
        #expect(dom.contains("\(ReportNumber.count(best.confusion.truePositives)) TP"))
        #expect(dom.contains("\(ReportNumber.count(best.confusion.falsePositives)) FP"))
        #expect(dom.contains("\(ReportNumber.count(best.confusion.trueNegatives)) TN"))
        #expect(dom.contains("\(ReportNumber.count(best.confusion.falseNegatives)) FN"))
        // The test-set summary holds the logged test metrics.
        #expect(dom.contains(ReportNumber.metric(best.f1)))
        for section in ["heldout", "progress", "parallel", "test", "importance"] { #expect(dom.contains("<section id=\"\(section)\"")) }
        // The held-out table: every family once, its figures as logged, lowest ROC AUC first.
        let heldOutRows = PageText.tableRows(dom, id: "heldout-table")
        #expect(heldOutRows.map { $0[0] }.sorted() == heldOut.families.map(\.name).sorted())
        let aucs = heldOutRows.compactMap { row in heldOut.families.first { $0.name == row[0] }?.rocAUC }
        #expect(aucs.count == heldOut.families.count && aucs == aucs.sorted())
        for row in heldOutRows {
            let family = try #require(heldOut.families.first { $0.name == row[0] })
            #expect(row[1] == String(format: "%.2f%%", 100 * family.flaggedShare))
            #expect(row[2] == ReportNumber.metric(family.rocAUC))
        }
        #expect(dom.contains(ReportNumber.metric(heldOut.rocAUC)))

        let png = directory.file("report.png")
        let screenshotConsole = try HeadlessChromium.screenshot(page, to: png, width: 1280, height: 1600)
        #expect(screenshotConsole.isEmpty)
        let pixels = try HeadlessChromium.pixelStatistics(png)
        #expect(pixels.width == 1280)
        #expect(pixels.nonBackground > 0.02, "screenshot is (nearly) blank: \(pixels)")
        #expect(pixels.colours > 20)
    }
}
