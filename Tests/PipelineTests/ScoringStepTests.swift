import DNSData
import Foundation
import Lakehouse
import TestSupport
import Testing

/// Step 03 run by the real binary: killed mid-update, watching a directory, and the
/// accelerator's story end to end.
@Suite(.serialized) struct ScoringStepTests {
    let directory: TemporaryDirectory
    var store: URL { directory.file("store") }
    var input: URL { directory.file("input") }

    init() throws {
        directory = try TemporaryDirectory("pipeline-step")
        try FileManager.default.createDirectory(at: directory.file("input"), withIntermediateDirectories: true)
    }

    /// A store holding the fixture's registered model (copied, so the child writes its own lakehouse).
    func prepareStore() async throws {
        try FileManager.default.copyItem(at: try await PipelineFixture.modelStore.value, to: store)
    }

    /// The project's manifest cut to the scoring task alone (no upstream tasks to have run).
    func scoringManifest() throws -> URL {
        var job = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: TestPaths.jobManifest)) as? [String: Any])
        let tasks = try #require(job["tasks"] as? [[String: Any]])
        var scoring = try #require(tasks.first { $0["task_key"] as? String == "03_scoring" })
        scoring.removeValue(forKey: "depends_on")
        var notebook = try #require(scoring["notebook_task"] as? [String: Any])
        var parameters = try #require(notebook["base_parameters"] as? [String: Any])
        parameters.removeValue(forKey: "etl_summary")
        notebook["base_parameters"] = parameters
        scoring["notebook_task"] = notebook
        job["tasks"] = [scoring]
        let url = directory.file("scoring.json")
        try JSONSerialization.data(withJSONObject: job).write(to: url)
        return url
    }

    func scoringArguments(_ extra: [String] = []) throws -> [String] {
        ["run", "--store", store.path, "--job", try scoringManifest().path,
         "--param", "scoring_input=\(input.path)", "--param", "model_uri=\(PipelineFixture.championURI)",
         "--param", "min_file_age_seconds=0"] + extra
    }

    func lakehouse() throws -> Database {
        try Database(path: store.appendingPathComponent("lakehouse.db").path, mode: .readOnly)
    }

    /// Sleeps on this thread, for the same reason as `waitUntil`.
    func pause(_ seconds: Double) { Thread.sleep(forTimeInterval: seconds) }

    /// Polls until `condition` holds (or `seconds` pass); returns whether it held.
    ///
    /// It sleeps on its own thread rather than suspending: other suites train models on the
    /// cooperative pool's two threads, and a suspended poll resumed only after the child's
    /// whole update had finished (so the kill test found nothing to kill).
    func waitUntil(_ seconds: Double, _ condition: () throws -> Bool) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if (try? condition()) == true { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }

    @Test func killedMidUpdateNeitherLosesNorDoublesARow() async throws {
        let binary = try #require(TestPaths.runmeBinary, "build runme first (swift build)")
        try await prepareStore()
        var total = 0
        // Enough lines that the update (one transaction) is still under way half a second after
        // it starts, even in a release build (about 75,000 lines/s here).
        for index in 1...3 {
            try COFSample.write(lines: 60_000, to: input.appendingPathComponent("part-\(index).json"))
            total += 60_000
        }
        let child = ChildProcess(binary, try scoringArguments(), workingDirectory: TestPaths.packageRoot)
        try child.start()
        // Killed once its update is under way (the RUNNING row is committed before any file is read).
        let running = waitUntil(60) {
            try lakehouse().scalar("SELECT count(*) FROM pipeline_updates WHERE state = 'RUNNING'")?.int64Value == 1
        }
        #expect(running, "\(child.stdout)\n\(child.stderr)")
        pause(0.5)
        child.signal(SIGKILL)
        _ = child.wait(timeout: 10)
        #expect(try lakehouse().scalar("SELECT count(*) FROM dns_log_analytics")?.int64Value == 0)
        #expect(try lakehouse().scalar("SELECT count(*) FROM pipeline_checkpoints")?.int64Value == 0)

        let rerun = try ChildProcess.run(binary, try scoringArguments(), workingDirectory: TestPaths.packageRoot, timeout: 300)
        #expect(rerun.status == 0, "\(rerun.stdout)\n\(rerun.stderr)")
        let db = try lakehouse()
        let stored = try db.scalar("SELECT count(*) FROM dns_log_analytics")?.int64Value ?? 0
        let quarantined = try db.scalar("SELECT count(*) FROM dns_log_analytics_quarantine")?.int64Value ?? 0
        #expect(stored + quarantined == Int64(total))
        #expect(try db.scalar("SELECT count(*) FROM (SELECT source, source_line FROM dns_log_analytics GROUP BY 1, 2 HAVING count(*) > 1)")?.int64Value == 0)
        #expect(try db.scalar("SELECT sum(rows) FROM pipeline_checkpoints")?.int64Value == stored)
        // The killed update is marked as interrupted, not left RUNNING.
        #expect(try db.scalar("SELECT state FROM pipeline_updates ORDER BY update_id LIMIT 1")?.stringValue == "FAILED")
        #expect(try db.scalar("SELECT state FROM pipeline_updates ORDER BY update_id DESC LIMIT 1")?.stringValue == "COMPLETED")
    }

    @Test func watchModeScoresFilesAsTheyLandAndCtrlCStopsIt() async throws {
        let binary = try #require(TestPaths.runmeBinary, "build runme first (swift build)")
        try await prepareStore()
        let child = ChildProcess(binary, try scoringArguments(["--param", "watch=true", "--param", "poll_seconds=0.3"]),
                                 workingDirectory: TestPaths.packageRoot)
        try child.start()
        let latest = TestPaths.sharedData.appendingPathComponent("latest/dns_test_1.json")
        // A producer writes under a temporary name and renames when done, as Auto Loader expects.
        try FileManager.default.copyItem(at: latest, to: input.appendingPathComponent("first.json.part"))
        try FileManager.default.moveItem(at: input.appendingPathComponent("first.json.part"), to: input.appendingPathComponent("first.json"))
        let first = waitUntil(60) { try lakehouse().scalar("SELECT count(*) FROM dns_log_analytics")?.int64Value == 3 }
        #expect(first, "\(child.stdout)\n\(child.stderr)")
        try FileManager.default.copyItem(at: TestPaths.sharedData.appendingPathComponent("dns_events.json"), to: input.appendingPathComponent("second.json"))
        let events = try PipelineFixture.recordLines("dns_events.json")
        let second = waitUntil(60) { try lakehouse().scalar("SELECT count(*) FROM dns_log_analytics")?.int64Value == Int64(3 + events) }
        #expect(second, "\(child.stdout)\n\(child.stderr)")

        child.signal(SIGINT)
        let (status, timedOut) = child.wait(timeout: 30)
        #expect(!timedOut)
        #expect(status == 1, "a cancelled run exits 1: \(child.stdout)\n\(child.stderr)")
        let db = try lakehouse()
        #expect(try db.scalar("SELECT count(*) FROM pipeline_updates WHERE state = 'RUNNING'")?.int64Value == 0)
        #expect(try db.scalar("SELECT count(*) FROM pipeline_updates WHERE state = 'COMPLETED'")?.int64Value == 2)
        #expect(try db.scalar("SELECT count(*) FROM pipeline_checkpoints")?.int64Value == 2)
    }

    /// Issue §4: the whole job on a local copy of the shared data.
    @Test func theAgentTeslaStoryEndToEnd() async throws {
        let binary = try #require(TestPaths.runmeBinary, "build runme first (swift build)")
        let data = directory.file("data")
        try FileManager.default.copyItem(at: TestPaths.sharedData, to: data)
        // Step 04's default alerts deliver to local receivers: e-mail (aiosmtpd), Slack and a webhook.
        let smtp = try NotificationReceivers.smtp()
        let http = try NotificationReceivers.http()
        defer { smtp.stop(); http.stop() }
        let alertEnvironment = [
            "RUNME_ALERT_SMTP_URL": "smtp://127.0.0.1:\(smtp.port)", "RUNME_ALERT_EMAIL_TO": "soc@example.org",
            "RUNME_ALERT_EMAIL_FROM": "runme@example.org",
            "RUNME_ALERT_SLACK_WEBHOOK_URL": "http://127.0.0.1:\(http.port)/slack",
            "RUNME_ALERT_WEBHOOK_URL": "http://127.0.0.1:\(http.port)/webhook",
        ]
        let run = try ChildProcess.run(binary, ["run", "--store", store.path, "--job", TestPaths.jobManifest.path,
                                                "--param", "data=\(data.path)", "--param", "automl_timeout_minutes=0.3",
                                                "--param", "automl_max_trials=4", "--param", "min_file_age_seconds=0"],
                                       environment: alertEnvironment, workingDirectory: TestPaths.packageRoot, timeout: 600)
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")

        // The alert e-mail lists the Agent Tesla domain; Slack and the webhook got their payloads.
        let mails = smtp.waitForItems(1).filter { $0.pathExtension == "eml" }
        #expect(mails.count == 1)
        if let mail = mails.first {
            let parsed = try LocalServers.runPython("""
                import email, email.policy, sys
                message = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
                print(message.get_body(preferencelist=("plain",)).get_content())
                """, arguments: [mail.path])
            #expect(parsed.contains("ns1.asdklgb.cf."), "the alert e-mail does not list ns1.asdklgb.cf.: \(parsed)")
        }
        let requests = http.waitForItems(2)
        let bodies = try requests.map { try String(contentsOf: $0, encoding: .utf8) }
        #expect(bodies.contains { $0.contains("/slack") }, "no Slack request: \(bodies)")
        #expect(bodies.contains { $0.contains("/webhook") && $0.contains("asdklgb.cf") }, "no webhook request naming the domain: \(bodies)")

        // A second run of scoring and alerts with nothing new: no row is added and nothing is sent.
        let rowsBefore = try lakehouse().scalar("SELECT count(*) FROM dns_log_analytics")?.int64Value
        let again = try ChildProcess.run(binary, ["run", "--store", store.path, "--job", TestPaths.jobManifest.path,
                                                  "--task", "03_scoring", "--task", "04_alerts",
                                                  "--param", "data=\(data.path)", "--param", "min_file_age_seconds=0"],
                                         environment: alertEnvironment, workingDirectory: TestPaths.packageRoot, timeout: 300)
        #expect(again.status == 0, "\(again.stdout)\n\(again.stderr)")
        #expect(try lakehouse().scalar("SELECT count(*) FROM dns_log_analytics")?.int64Value == rowsBefore)
        try await Task.sleep(for: .seconds(1))
        #expect(smtp.received().filter { $0.pathExtension == "eml" }.count == 1)
        #expect(http.received().count == requests.count)
        let db = try lakehouse()
        let agentTesla = try #require(try db.query("SELECT class, reason, threat, tags, top_features, country FROM dns_ioc_latest WHERE domain = 'ns1.asdklgb.cf.'").first)
        #expect(agentTesla.string("class") == "ioc")
        #expect(agentTesla.string("reason")?.contains("threat_feed") == true)
        #expect(agentTesla.string("tags")?.contains("AgentTesla") == true)
        #expect(agentTesla.string("threat") == "malware_download")
        let features = try JSONSerialization.jsonObject(with: Data((agentTesla.string("top_features") ?? "").utf8)) as? [[String: Any]]
        #expect(features?.count == 3)
        let squat = try #require(try db.query("SELECT reason, brand, fuzzer FROM dns_ioc_latest WHERE domain = 'www.googlee.com'").first)
        #expect(squat.string("brand") == "google.com")
        #expect(squat.string("fuzzer")?.isEmpty == false)
        #expect(squat.string("reason")?.contains("typosquat") == true)
        #expect(try db.scalar("SELECT class FROM dns_log_analytics WHERE domain = 'google.com'")?.stringValue == "legit")
        #expect(try db.scalar("SELECT count(*) FROM dns_ioc_latest WHERE domain = 'google.com'")?.int64Value == 0)
        #expect(try db.scalar("SELECT domain_tldextract FROM dns_log_analytics WHERE domain = 'ns1.asdklgb.cf.'")?.stringValue == "asdklgb.cf")
        #expect(try db.scalar("SELECT event_time FROM dns_log_analytics WHERE domain = 'ns1.asdklgb.cf.'")?.stringValue?.count == 23)
    }
}
