import Foundation
import Lakehouse
import TestSupport
import Testing
import Tracking

/// `runme alerts …` and the alerts task, run by the real binary.
@Suite(.serialized) struct AlertsCommandTests {
    let directory: TemporaryDirectory
    var store: URL { directory.file("store") }

    init() throws { directory = try TemporaryDirectory("alerts-cli") }

    func runme(_ arguments: [String], environment: [String: String] = [:], timeout: TimeInterval = 120) throws -> (status: Int32, stdout: String, stderr: String) {
        let binary = try #require(TestPaths.runmeBinary, "the runme executable is not built next to the tests: run `swift build` first")
        return try ChildProcess.run(binary, arguments + ["--store", store.path], environment: environment,
                                    workingDirectory: TestPaths.packageRoot, timeout: timeout)
    }

    /// A manifest with only the alerts task, so the test needs no scoring run.
    func alertsOnlyManifest() throws -> URL {
        let url = directory.file("alerts_only.json")
        try #"""
        {"name": "alerts_only", "parameters": [{"name": "alerts", "default": "Jobs/alerts"}],
         "tasks": [{"task_key": "04_alerts", "notebook_task": {"notebook_path": "04_DNS_Analytics_Alerts",
                    "base_parameters": {"alerts": "{{job.parameters.alerts}}"}}}]}
        """#.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// The shared sample's Agent Tesla name, scored as an ioc a minute ago, with its URLhaus tags.
    func insertIoC() throws {
        let record = try String(contentsOf: TestPaths.sharedData.appendingPathComponent("latest/dns_test_1.json"), encoding: .utf8)
            .split(separator: "\n").first { $0.contains("asdklgb") }
        let line = try #require(record)
        let rrname = try #require((try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["rrname"] as? String)
        let feedLine = try #require(try String(contentsOf: TestPaths.sharedData.appendingPathComponent("urlhaus_recent.csv"), encoding: .utf8)
            .split(whereSeparator: \.isNewline).first { $0.contains("//ns1.asdklgb.cf/") })
        let columns = feedLine.dropFirst().dropLast().components(separatedBy: "\",\"")
        let lakehouse = try LakehouseSchema.open(storeDirectory: store)
        try lakehouse.execute("""
            INSERT INTO dns_log_analytics(domain, domain_tldextract, class, score, timestamp, threat, tags, model_uri, source, source_line, update_id)
            VALUES (?, 'asdklgb.cf', 'ioc', 0.987, strftime('%Y-%m-%d %H:%M:%f', 'now', '-60 seconds'), ?, ?, 'models:/dns_dga/1', 'latest/dns_test_1.json', 1, 1)
            """, [rrname, columns[5], columns[6]])
    }

    @Test("A template with a syntax error: `alerts check` and `run` refuse with exit 2, naming file and field, before anything runs")
    func badTemplateRefused() throws {
        let bad = directory.file("bad_alert.json")
        try #"{"name": "bad", "query": "select 1 as x", "condition": {"column": "x", "op": ">", "threshold": 0}, "template": {"subject": "{{#ALERT_NAME}} open"}}"#
            .write(to: bad, atomically: true, encoding: .utf8)
        let check = try runme(["alerts", "check", "--alerts", bad.path])
        #expect(check.status == 2)
        #expect(check.stderr.contains("\(bad.path): $.template.subject: template syntax error"))
        let run = try runme(["run", "--job", try alertsOnlyManifest().path, "--param", "alerts=\(bad.path)"])
        #expect(run.status == 2, "\(run.stderr)")
        #expect(run.stderr.contains("$.template.subject"))
        // Definitions given inline in the parameter are checked the same way.
        let inline = #"[{"name": "inline", "query": "select 1 as x", "condition": {"column": "x", "op": ">"}}]"#
        let inlineRun = try runme(["run", "--job", try alertsOnlyManifest().path, "--param", "alerts=\(inline)"])
        #expect(inlineRun.status == 2)
        #expect(inlineRun.stderr.contains("the alerts parameter: $[0].condition.threshold: missing"), "\(inlineRun.stderr)")
        #expect(!FileManager.default.fileExists(atPath: store.appendingPathComponent("tracking.db").path), "nothing ran")
    }

    @Test("The alerts task with a dead SMTP server: the job succeeds and the history holds the failed delivery")
    func deadSMTPJobSucceeds() throws {
        try insertIoC()
        let environment = [
            "RUNME_ALERT_SMTP_URL": "smtp://127.0.0.1:\(try LocalServers.freePort())",
            "RUNME_ALERT_EMAIL_TO": "soc@example.org",
            "RUNME_ALERT_SMTP_PASSWORD": "n0tInTheLogs",
        ]
        let run = try runme(["run", "--job", try alertsOnlyManifest().path], environment: environment)
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stdout.contains("SUCCESS"))
        let history = try runme(["alerts", "history", "dns_ioc_rows", "--json"])
        #expect(history.status == 0)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]])
        let latest = try #require(rows.first)
        #expect(latest["state"] as? String == "TRIGGERED")
        #expect(latest["job_run_id"] as? Int == 1)
        let deliveries = try #require(latest["deliveries"] as? [[String: Any]])
        let email = try #require(deliveries.first { $0["kind"] as? String == "email" })
        #expect(email["outcome"] as? String == "failed")
        #expect(email["attempts"] as? Int == 3)
        #expect(deliveries.first { $0["kind"] as? String == "webhook" }?["outcome"] as? String == "skipped")
        #expect(!history.stdout.contains("n0tInTheLogs") && !run.stdout.contains("n0tInTheLogs"))
        // The task's transcript holds the notification (the stdout destination) and the deliveries;
        // its run holds the metrics.
        let tracking = try TrackingStore.openReadOnly(at: store)
        let task = try #require(try tracking.taskRuns(jobRunID: 1).first)
        let runID = try #require(task.trackingRunID)
        let transcript = try String(contentsOf: try tracking.artifactDirectory(runID: runID).appendingPathComponent("transcript/transcript.md"), encoding: .utf8)
        #expect(transcript.contains("ns1.asdklgb.cf."))
        #expect(transcript.contains("Deliveries"))
        #expect(!transcript.contains("n0tInTheLogs"))
        let metrics = try tracking.latestMetrics(runID: runID)
        #expect(metrics["alerts.triggered"]?.value == 2)
        #expect(metrics["deliveries.failed"]?.value == 1)
        #expect(metrics["deliveries.skipped"]?.value == 3)
        let list = try runme(["alerts", "list"])
        #expect(list.stdout.contains("dns_ioc_rows") && list.stdout.contains("TRIGGERED"))
    }

    @Test("`alerts check` exits 1 when a delivery fails for an alert with fail_job_on_delivery_failure")
    func failJobOnDeliveryFailure() throws {
        try insertIoC()
        let strict = directory.file("strict.json")
        try #"""
        {"name": "strict", "query": "select count(*) as n from dns_log_analytics where class = 'ioc'",
         "condition": {"column": "n", "op": ">", "threshold": 0},
         "options": {"fail_job_on_delivery_failure": true, "max_attempts": 2, "backoff_seconds": 0.05},
         "destinations": [{"type": "webhook", "url_env": "HOOK"}]}
        """#.write(to: strict, atomically: true, encoding: .utf8)
        let check = try runme(["alerts", "check", "--alerts", strict.path, "--json"],
                              environment: ["HOOK": "http://127.0.0.1:\(try LocalServers.freePort())/hook"])
        #expect(check.status == 1, "\(check.stderr)")
        let evaluations = try #require(try JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as? [[String: Any]])
        #expect(evaluations.first?["state"] as? String == "TRIGGERED")
        #expect((evaluations.first?["deliveries"] as? [[String: Any]])?.first?["attempts"] as? Int == 2)
    }
}
