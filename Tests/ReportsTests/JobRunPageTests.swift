import Foundation
import Lakehouse
import Reports
import Testing
import TestSupport
import Tracking

/// The job-run page on a store filled as the job fills it: a job run with a retried task and a
/// repair, tracking runs, task values, lakehouse loads and expectation counts, a registered
/// model, and alert outcomes (rows written against the schemas the other steps write).
@Suite(.serialized) struct JobRunPageTests {
    struct Fixture {
        let directory: TemporaryDirectory
        let store: TrackingStore
        let jobRunID: Int64
        let etlRunID: String
    }

    static func makeStore() throws -> Fixture {
        let directory = try TemporaryDirectory("runme-jobpage")
        let storeURL = directory.url.appendingPathComponent("store")
        let store = try TrackingStore.open(at: storeURL)
        let experiment = try store.getOrCreateExperiment(named: "dns_analytics")
        let job = try store.beginJobRun(jobName: "dns_analytics", manifestPath: "Jobs/dns_analytics.json", manifestJSON: "{}",
                                        parameters: ["data": "builtin", "seed": "42"], experimentID: experiment.id, maxConcurrentRuns: 1)
        let t0 = job.startTime
        let etl = try store.createRun(experimentID: experiment.id, name: "01_etl", jobRunID: job.runID, taskKey: "01_etl")
        try store.logBatch(runID: etl.runID, params: ["bronze_dns.format": "cof"],
                           metrics: [Metric(key: "bronze_dns.rows", value: 9_876), Metric(key: "silver_dns.rows", value: 9_500)])
        try store.writeArtifact(runID: etl.runID, data: Data("<html><body>transcript</body></html>".utf8), artifactPath: "transcript/transcript.html")
        try store.endRun(etl.runID)
        _ = try store.insertTaskRun(TaskRunRecord(jobRunID: job.runID, taskKey: "01_etl", notebookPath: "01_DNS_Analytics_ETL", attempt: 1, repairID: nil,
                                                  lifeCycleState: .terminated, resultState: .failed, stateMessage: "fetch failed: connection refused",
                                                  parameters: [:], trackingRunID: nil, startTime: t0, endTime: t0 + 2))
        _ = try store.insertTaskRun(TaskRunRecord(jobRunID: job.runID, taskKey: "01_etl", notebookPath: "01_DNS_Analytics_ETL", attempt: 2, repairID: nil,
                                                  lifeCycleState: .terminated, resultState: .success, stateMessage: "",
                                                  parameters: ["data": "builtin"], trackingRunID: etl.runID, startTime: t0 + 3, endTime: t0 + 12.5))
        _ = try store.insertTaskRun(TaskRunRecord(jobRunID: job.runID, taskKey: "03_scoring", notebookPath: "03_DNS_Analytics_Scoring", attempt: 1, repairID: nil,
                                                  lifeCycleState: .terminated, resultState: .success, stateMessage: "",
                                                  parameters: [:], trackingRunID: nil, startTime: t0 + 13, endTime: t0 + 20))
        let model = try store.registerModel(source: "runs:/\(etl.runID)/model", name: "dns_dga", runID: etl.runID)
        try store.setAlias(name: "dns_dga", alias: "champion", version: model.version)
        try store.setTaskValue(jobRunID: job.runID, taskKey: "02_automl", name: "model_uri", json: "\"models:/dns_dga/\(model.version)\"")
        try store.finishJobRun(job.runID, lifeCycle: .terminated, result: .success, message: "3 of 3 tasks succeeded")

        let lakehouse = try LakehouseSchema.open(storeDirectory: storeURL)
        try lakehouse.execute("""
            INSERT INTO loads(table_name, source, format, rows_read, rows_loaded, rows_quarantined, lines_skipped, started, job_run_id)
            VALUES ('bronze_dns', 'builtin:dns_events.json', 'cof', 10000, 9876, 124, 3, 0, ?), ('bronze_dns', 'other-run.json', 'cof', 5, 5, 0, 0, 0, 999)
            """, [job.runID])
        try lakehouse.execute("""
            INSERT INTO pipeline_updates(pipeline, state, started, job_run_id, model_uri, files, rows_read, rows_written)
            VALUES ('dns_scoring', 'COMPLETED', '2026-11-22 10:00:00.000', ?, 'models:/dns_dga/1', 2, 1500, 1480)
            """, [job.runID])
        let update = lakehouse.lastInsertRowID
        try lakehouse.execute("""
            INSERT INTO pipeline_event_log(update_id, table_name, expectation, action, passed, failed, dropped, timestamp) VALUES
            (?, 'dns_log_analytics', 'valid_rrname', 'expect_or_drop', 1490, 10, 10, '2026-11-22 10:00:01.000'),
            (?, 'dns_log_analytics', 'valid_time', 'expect_or_quarantine', 1480, 7, 0, '2026-11-22 10:00:01.000')
            """, [update, update])
        for line in 1...7 {
            try lakehouse.execute("""
                INSERT INTO dns_log_analytics_quarantine(source, source_line, expectation, raw, timestamp, update_id)
                VALUES ('a.json', ?, 'valid_time', '{}', '2026-11-22 10:00:01.000', ?)
                """, [line, update])
        }
        let tracking = try Database(path: store.databaseURL.path, mode: .readWrite)
        try tracking.execute("""
            INSERT INTO alert_history(alert_name, job_run_id, evaluated_at, state, previous_state, value, threshold, reason, notified, deliveries_json)
            VALUES ('ioc_detected', ?, ?, 'TRIGGERED', 'OK', '17', '> 0', 'value 17 > 0', 1,
                    '[{"destination":"soc@example.org","kind":"email","outcome":"sent","attempts":1}]')
            """, [job.runID, t0 + 21])
        return Fixture(directory: directory, store: store, jobRunID: job.runID, etlRunID: etl.runID)
    }

    @Test func pageShowsTheRunAsStored() throws {
        let fixture = try Self.makeStore()
        let report = try JobRunReport.load(store: fixture.store, jobRunID: fixture.jobRunID)
        #expect(report.tasks.count == 3)
        #expect(report.loads.map(\.rowsLoaded) == [9876])
        #expect(report.updates.first?.expectations.map(\.dropped) == [10, 0])
        #expect(report.updates.first?.quarantined["valid_time"] == 7)
        #expect(report.alerts.map(\.state) == ["TRIGGERED"])
        #expect(report.models.first?.version?.version == 1)
        #expect(report.missingTables.isEmpty)

        let page = fixture.directory.file("pages/job-run.html")
        try ReportFile.write(JobRunPage.render(report, location: page), to: page)
        let (dom, console) = try HeadlessChromium.dumpDOM(page)
        #expect(console.isEmpty, "console: \(console)")
        let tasks = PageText.tableRows(dom, id: "task-table")
        #expect(tasks.map { $0[0] } == ["01_etl", "01_etl", "03_scoring"])
        #expect(tasks.map { $0[3] } == ["FAILED", "SUCCESS", "SUCCESS"])
        #expect(tasks[1][5] == ReportNumber.seconds(9.5))
        #expect(tasks[0][6] == "fetch failed: connection refused")
        // The transcript link is relative to the page and points at the file.
        #expect(tasks[1][7] == "transcript")
        let href = try #require(PageText.matches(dom, #"<a href="([^"]+)">transcript</a>"#).first)
        #expect(!href.hasPrefix("/"))
        let target = page.deletingLastPathComponent().appendingPathComponent(href.removingPercentEncoding ?? href).standardizedFileURL
        #expect(FileManager.default.fileExists(atPath: target.path))

        let loads = PageText.tableRows(dom, id: "loads-table")
        #expect(loads.count == 1)
        #expect(Array(loads[0][4...7]) == ["10,000", "9,876", "124", "3"])
        #expect(dom.contains("valid_rrname"))
        #expect(dom.contains("1,490"))
        let alerts = PageText.tableRows(dom, id: "alert-table")
        #expect(alerts.count == 1)
        #expect(alerts[0][0] == "ioc_detected")
        #expect(alerts[0][2] == "TRIGGERED")
        #expect(alerts[0][8] == "email soc@example.org: sent (1 attempt)")
        #expect(dom.contains("models:/dns_dga/1"))
        #expect(dom.contains("9876") || dom.contains("9,876"))

        let png = fixture.directory.file("job-run.png")
        #expect(try HeadlessChromium.screenshot(page, to: png, width: 1280, height: 1200).isEmpty)
        let pixels = try HeadlessChromium.pixelStatistics(png)
        #expect(pixels.nonBackground > 0.02, "blank screenshot: \(pixels)")
    }

    @Test func aStoreWithoutLakehouseSaysSo() throws {
        let directory = try TemporaryDirectory("runme-jobpage")
        let store = try TrackingStore.open(at: directory.url)
        let job = try store.beginJobRun(jobName: "j", manifestPath: "m", manifestJSON: "{}", parameters: [:], experimentID: nil, maxConcurrentRuns: 1)
        let report = try JobRunReport.load(store: store, jobRunID: job.runID)
        #expect(report.missingTables == ["lakehouse.db"])
        let html = JobRunPage.render(report, location: nil)
        #expect(html.contains("Not in this store (so not shown): lakehouse.db."))
        #expect(html.contains("No task ran."))
    }
}
