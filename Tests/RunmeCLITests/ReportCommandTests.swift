import Foundation
import Lakehouse
import TestSupport
import Testing

/// `report`, `compare`, `runs show --html` and `dashboard` through the real binary, on a store
/// made by a real (short) job run on the shared data.
@Suite(.serialized) struct ReportCommandTests {
    func runme(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let binary = try #require(TestPaths.runmeBinary, "the runme executable is not built next to the tests: run `swift build` first")
        return try ChildProcess.run(binary, arguments, workingDirectory: TestPaths.packageRoot, timeout: 180)
    }

    @Test func reportsOfAJobRun() throws {
        let directory = try TemporaryDirectory("cli-reports")
        let store = directory.file("store").path
        let run = try runme(["run", "--store", store, "--param", "data=\(TestPaths.sharedData.path)"] + CLITests.quickAutoML)
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        // The last line names the job-run page, written into the store.
        let page = URL(fileURLWithPath: store).standardizedFileURL.appendingPathComponent("reports/job-run-1.html").path
        #expect(run.stdout.split(separator: "\n").last.map(String.init) == "Report: \(page)")
        let written = try String(contentsOfFile: page, encoding: .utf8)
        #expect(written.hasPrefix("<!DOCTYPE html>"))
        #expect(written.contains("Job run 1 of dns_analytics: SUCCESS"))

        // The AutoML run's trials as JSON: best first, with the step's test evaluation.
        let json = try runme(["report", "--store", store, "--json"])
        #expect(json.status == 0, "\(json.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(report["primaryMetric"] as? String == "f1")
        let comparison = try #require(report["comparison"] as? [String: Any])
        let rows = try #require(comparison["rows"] as? [[String: Any]])
        #expect(rows.count == 3)
        #expect(rows.first?["isBest"] as? Bool == true)
        let scores = rows.compactMap { ($0["metrics"] as? [String: Double])?["val_f1_final"] }
        #expect(scores == scores.sorted(by: >))
        let evaluation = try #require(report["testEvaluation"] as? [String: Any])
        let bestRunID = try #require(rows.first?["runID"] as? String)
        #expect(evaluation["bestRunID"] as? String == bestRunID)
        #expect((evaluation["trials"] as? [Any])?.count == 3)

        let table = try runme(["report", "--store", store])
        #expect(table.status == 0)
        #expect(table.stdout.contains("★1"))
        #expect(table.stdout.contains("val_f1_final"))
        #expect(table.stdout.contains(String(bestRunID.prefix(12))))

        let html = directory.file("automl.html").path
        let written2 = try runme(["report", "dns_analytics", "--store", store, "--html", html])
        #expect(written2.status == 0)
        #expect(written2.stdout.contains("Wrote \(html)"))
        #expect(try String(contentsOfFile: html, encoding: .utf8).contains("ROC curve (test set)"))

        let ids = rows.compactMap { $0["runID"] as? String }
        // Ids as the table shows them (cut to 12 characters) name their runs.
        let compare = try runme(["compare", "--store", store, "--html", directory.file("compare.html").path, String(ids[2].prefix(12)), ids[0]])
        #expect(compare.status == 0, "\(compare.stderr)")
        // Trials of one AutoML run sort by its primary metric whatever order they are named in.
        let lines = compare.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("★1") && $0.contains(String(ids[0].prefix(12))) })

        let show = try runme(["runs", "show", "1", "--store", store, "--html", directory.file("run-1.html").path])
        #expect(show.status == 0)
        #expect(try String(contentsOfFile: directory.file("run-1.html").path, encoding: .utf8).contains("models:/dns_dga/1"))

        // The dashboard's figures are the lakehouse's, read here with a query of our own.
        let dashboard = try runme(["dashboard", "--store", store, "--json"])
        #expect(dashboard.status == 0, "\(dashboard.stderr)")
        let figures = try #require(try JSONSerialization.jsonObject(with: Data(dashboard.stdout.utf8)) as? [String: Any])
        let lakehouse = try LakehouseSchema.openReadOnly(storeDirectory: URL(fileURLWithPath: store))
        let expectedDays = try lakehouse.query("""
            SELECT substr(timestamp, 1, 10) AS day, count(*) AS n, sum(class = 'ioc') AS ioc_rows,
                count(DISTINCT CASE WHEN class = 'ioc' THEN domain_tldextract END) AS ioc_domains
            FROM dns_log_analytics GROUP BY day ORDER BY day
            """)
        let days = try #require(figures["days"] as? [[String: Any]])
        #expect(!expectedDays.isEmpty)
        #expect(days.map { $0["day"] as? String } == expectedDays.map { $0.string("day") })
        #expect(days.map { $0["rows"] as? Int } == expectedDays.map { $0.int("n") })
        #expect(days.map { $0["iocRows"] as? Int } == expectedDays.map { $0.int("ioc_rows") })
        #expect(days.map { $0["iocDomains"] as? Int } == expectedDays.map { $0.int("ioc_domains") })
        let iocs = try #require(figures["iocs"] as? [[String: Any]])
        let lastDay = try #require(try lakehouse.scalar("SELECT max(substr(timestamp, 1, 10)) FROM dns_ioc_latest")?.stringValue)
        let expectedIOCs = try lakehouse.query("SELECT domain FROM dns_ioc_latest WHERE substr(timestamp, 1, 10) = ?", [lastDay])
        #expect(!iocs.isEmpty)
        #expect(Set(iocs.compactMap { $0["domain"] as? String }) == Set(expectedIOCs.compactMap { $0.string("domain") }))
        // The story's Agent Tesla name is among them, with the threat feed's finding.
        let agentTesla = try #require(iocs.first { $0["domain"] as? String == "ns1.asdklgb.cf." })
        #expect((agentTesla["reason"] as? String)?.contains("threat_feed") == true)

        let missing = try runme(["report", "no_such_experiment", "--store", store])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no experiment named 'no_such_experiment'"))
    }
}
