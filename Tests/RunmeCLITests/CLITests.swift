import Foundation
import Lakehouse
import TestSupport
import Testing
import Tracking

/// Runs the real `runme` binary in separate processes against temporary stores, on the
/// shared sample data.
@Suite(.serialized) struct CLITests {
    let directory: TemporaryDirectory
    let storePath: String

    /// A short AutoML search: these tests check the runner, not the model. "0.10" on purpose:
    /// a value whose Double prints differently must not clash with the logged parameter.
    static let quickAutoML = ["--param", "automl_timeout_minutes=0.10", "--param", "automl_max_trials=3", "--param", "automl_out_of_fold_folds=2"]

    init() throws {
        directory = try TemporaryDirectory("cli")
        storePath = directory.file("store").path
    }

    func runme(_ arguments: [String], timeout: TimeInterval = 120) throws -> (status: Int32, stdout: String, stderr: String) {
        let binary = try #require(TestPaths.runmeBinary, "the runme executable is not built next to the tests: run `swift build` first")
        return try ChildProcess.run(binary, arguments, workingDirectory: TestPaths.packageRoot, timeout: timeout)
    }

    func json(_ arguments: [String]) throws -> Any {
        let result = try runme(arguments + ["--json"])
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }

    func showRun(_ id: Int) throws -> [String: Any] {
        try #require(try json(["runs", "show", String(id), "--store", storePath]) as? [String: Any])
    }

    /// Lines of dns_events.json that hold a record, counted here independently of runme.
    func sharedRecordCount() throws -> Int {
        let text = try String(contentsOf: TestPaths.sharedData.appendingPathComponent("dns_events.json"), encoding: .utf8)
        return text.split(separator: "\n").filter { $0.contains("\"rrname\"") }.count
    }

    @Test func fullJobThenSingleTaskInAnotherProcess() throws {
        let first = try runme(["run", "--store", storePath, "--param", "data=\(TestPaths.sharedData.path)"] + Self.quickAutoML)
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        #expect(first.stdout.contains("Job run 1: SUCCESS. 4 of 4 tasks succeeded"))
        #expect(first.stdout.contains("Details: runme runs show 1 --store \(storePath)"))
        #expect(first.stderr.contains("ignoring keys runme does not use: $.job_clusters"))

        let run = try showRun(1)
        #expect(run["resultState"] as? String == "SUCCESS")
        let tasks = try #require(run["tasks"] as? [[String: Any]])
        #expect(tasks.map { $0["taskKey"] as? String } == ["01_etl", "02_automl", "03_scoring", "04_alerts"])
        #expect(tasks.allSatisfy { $0["resultState"] as? String == "SUCCESS" })
        let values = try #require(run["taskValues"] as? [[String: Any]])
        let summary = try #require(values.first { $0["name"] as? String == "summary" }?["value"] as? [String: Any])
        #expect(summary["dns_records"] as? Int == (try sharedRecordCount()))
        for task in tasks {
            let transcript = try #require(task["transcript"] as? String)
            #expect(FileManager.default.fileExists(atPath: transcript))
            #expect(FileManager.default.fileExists(atPath: transcript.replacingOccurrences(of: ".md", with: ".html")))
        }

        // A second process reruns only the AutoML task, reading 01_etl's values from run 1.
        let second = try runme(["run", "--store", storePath, "--task", "02_automl"] + Self.quickAutoML)
        #expect(second.status == 0, "\(second.stdout)\n\(second.stderr)")
        let rerun = try showRun(2)
        let rerunTasks = try #require(rerun["tasks"] as? [[String: Any]])
        #expect(rerunTasks.map { $0["taskKey"] as? String } == ["02_automl"])
        let parameters = try #require(rerunTasks.first?["parameters"] as? [String: String])
        #expect(parameters["etl_run"]?.contains("\"dns_records\":\(try sharedRecordCount())") == true)
        let transcript = try String(contentsOfFile: try #require(rerunTasks.first?["transcript"] as? String), encoding: .utf8)
        #expect(transcript.contains("01_etl summary (job run 1)"))

        // --from reruns a task and everything downstream.
        let from = try runme(["run", "--store", storePath, "--from", "03_scoring"])
        #expect(from.status == 0)
        #expect(try (showRun(3)["tasks"] as? [[String: Any]])?.map { $0["taskKey"] as? String } == ["03_scoring", "04_alerts"])

        let listing = try #require(try json(["runs", "--store", storePath]) as? [[String: Any]])
        #expect(listing.map { $0["runID"] as? Int } == [3, 2, 1])
        let experiments = try #require(try json(["experiments", "--store", storePath]) as? [[String: Any]])
        #expect(experiments.first?["name"] as? String == "dns_analytics")
        // 7 task runs, and 3 trials and the final model (refitted) nested under each of the two AutoML runs.
        #expect(experiments.first?["runCount"] as? Int == 15)
    }

    @Test func benchTrainRefusesAPredictionsFileItCouldNotWriteBeforeTraining() throws {
        let missing = directory.file("no-such-folder").appendingPathComponent("predictions.json")
        let result = try runme(["bench", "train", "--data", TestPaths.sharedData.path, "--predictions-file", missing.path], timeout: 30)
        #expect(result.status == 2)
        #expect(result.stderr.contains("--predictions-file: the folder \(missing.deletingLastPathComponent().path) does not exist or is not writable"))
        #expect(!FileManager.default.fileExists(atPath: missing.path))
    }

    @Test func badManifestsAreRefusedWithExitCode2() throws {
        let cyclic = directory.file("cyclic.json")
        try Data(#"""
            {"name": "j", "tasks": [
              {"task_key": "a", "depends_on": [{"task_key": "b"}], "notebook_task": {"notebook_path": "01_DNS_Analytics_ETL"}},
              {"task_key": "b", "depends_on": [{"task_key": "a"}], "notebook_task": {"notebook_path": "01_DNS_Analytics_ETL"}}]}
            """#.utf8).write(to: cyclic)
        let result = try runme(["run", "--store", storePath, "--job", cyclic.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("\(cyclic.path): $.tasks[0].depends_on: dependency cycle"))

        let broken = directory.file("broken.json")
        try Data("{\"name\": \"j\", \"tasks\": [".utf8).write(to: broken)
        let invalid = try runme(["run", "--store", storePath, "--job", broken.path])
        #expect(invalid.status == 2)
        #expect(invalid.stderr.contains("\(broken.path): $: invalid JSON"))

        let unknownParam = try runme(["run", "--store", storePath, "--param", "nope=1"])
        #expect(unknownParam.status == 2)
        #expect(unknownParam.stderr.contains("job 'dns_analytics' has no parameter 'nope'"))

        let unknownTask = try runme(["run", "--store", storePath, "--task", "05_missing"])
        #expect(unknownTask.status == 2)
        #expect(unknownTask.stderr.contains("has no task '05_missing'"))

        let badOption = try runme(["run", "--bogus"])
        #expect(badOption.status == 2)

        let missingStore = try runme(["runs", "--store", directory.file("nowhere").path])
        #expect(missingStore.status == 2)
        #expect(!FileManager.default.fileExists(atPath: directory.file("nowhere").path))
    }

    @Test func helpDocumentsExitCodes() throws {
        let help = try runme(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("Exit codes:"))
        #expect(help.stdout.contains("2    usage or configuration error"))
        #expect(help.stdout.contains("130  a second Ctrl-C ended a run at once"))
        let runHelp = try runme(["run", "--help"])
        #expect(runHelp.stdout.contains("--task <key>"))
        #expect(runHelp.stdout.contains("--store <dir>"))
    }

    @Test func failedJobExitsWith1AndRepairFinishesIt() throws {
        let dictionary = directory.file("words")
        let result = try runme(["run", "--store", storePath, "--param", "dictionary=\(dictionary.path)"] + Self.quickAutoML)
        #expect(result.status == 1)
        #expect(result.stdout.contains("Job run 1: FAILED"))
        #expect(result.stdout.contains("runme repair 1"))
        let failed = try showRun(1)
        let tasks = try #require(failed["tasks"] as? [[String: Any]])
        // 01_etl retries once (max_retries 1), then everything downstream is UPSTREAM_FAILED.
        #expect(tasks.map { "\($0["taskKey"] ?? "")/\($0["attempt"] ?? "")/\($0["resultState"] ?? "")" } ==
                ["01_etl/0/FAILED", "01_etl/1/FAILED", "02_automl/0/UPSTREAM_FAILED", "03_scoring/0/UPSTREAM_FAILED", "04_alerts/0/UPSTREAM_FAILED"])
        #expect((tasks.first?["stateMessage"] as? String)?.contains("apt-get install wamerican") == true)

        // /usr/share/dict/words is a symlink: copy its content, not the link.
        try Data(contentsOf: URL(fileURLWithPath: "/usr/share/dict/words")).write(to: dictionary)
        let repair = try runme(["repair", "1", "--store", storePath])
        #expect(repair.status == 0, "\(repair.stdout)\n\(repair.stderr)")
        #expect(repair.stdout.contains("Job run 1, repair 1: SUCCESS"))
        let repaired = try showRun(1)
        #expect(repaired["resultState"] as? String == "SUCCESS")
        let repairs = try #require(repaired["repairs"] as? [[String: Any]])
        #expect(repairs.first?["taskKeys"] as? [String] == ["01_etl", "02_automl", "03_scoring", "04_alerts"])
        let again = try runme(["repair", "1", "--store", storePath])
        #expect(again.status == 2)
        #expect(again.stderr.contains("nothing to repair"))
    }

    @Test func maxConcurrentRunsHoldsAcrossProcesses() throws {
        // This test process holds a run of the job, as another runme would.
        let store = try TrackingStore.open(at: URL(fileURLWithPath: storePath))
        let held = try store.beginJobRun(jobName: "dns_analytics", manifestPath: "x", manifestJSON: "{}", parameters: [:],
                                         experimentID: nil, maxConcurrentRuns: 1)
        let blocked = try runme(["run", "--store", storePath])
        #expect(blocked.status == 2)
        #expect(blocked.stderr.contains("run \(held.runID) (pid \(getpid())"))
        try store.finishJobRun(held.runID, lifeCycle: .terminated, result: .success, message: "")
        let next = try runme(["run", "--store", storePath] + Self.quickAutoML)
        #expect(next.status == 0, "\(next.stderr)")
    }

    @Test func twoProcessesWriteOneStore() throws {
        var manifests: [URL] = []
        for name in ["dns_a", "dns_b"] {
            let text = try String(contentsOf: TestPaths.jobManifest, encoding: .utf8)
                .replacingOccurrences(of: "\"name\": \"dns_analytics\"", with: "\"name\": \"\(name)\"")
            let url = directory.file("\(name).json")
            try Data(text.utf8).write(to: url)
            manifests.append(url)
        }
        let binary = try #require(TestPaths.runmeBinary)
        let children = manifests.map {
            ChildProcess(binary, ["run", "--store", storePath, "--job", $0.path, "--param", "data=\(TestPaths.sharedData.path)"] + Self.quickAutoML, workingDirectory: TestPaths.packageRoot)
        }
        for child in children { try child.start() }
        for child in children {
            let (status, timedOut) = child.wait(timeout: 120)
            #expect(status == 0 && !timedOut, "\(child.stdout)\n\(child.stderr)")
        }
        let runs = try #require(try json(["runs", "--store", storePath]) as? [[String: Any]])
        #expect(Set(runs.compactMap { $0["jobName"] as? String }) == ["dns_a", "dns_b"])
        for run in runs {
            #expect(run["resultState"] as? String == "SUCCESS")
            let shown = try showRun(try #require(run["runID"] as? Int))
            #expect((shown["tasks"] as? [[String: Any]])?.count == 4)
            // 01_etl's summary, 02_automl's model_uri and 03_scoring's summary.
            #expect((shown["taskValues"] as? [[String: Any]])?.count == 3)
        }
    }

    @Test func processesCreatingOneStoreAtOnceAllOpenIt() throws {
        // `repair` opens the store to write, then finds no such run: a cheap way to have many
        // processes create one new store at the same moment.
        for round in 0..<6 {
            let store = directory.file("fresh-\(round)").path
            let binary = try #require(TestPaths.runmeBinary)
            let children = (0..<6).map { _ in ChildProcess(binary, ["repair", "1", "--store", store]) }
            for child in children { try child.start() }
            for child in children {
                let (status, timedOut) = child.wait(timeout: 60)
                #expect(status == 2 && !timedOut)
                #expect(child.stderr.contains("no job run with id 1"), "\(child.stderr)")
            }
        }
    }

    /// A job run over a log large enough that loading it takes seconds, started and waited
    /// for until its load cell is under way, so that a signal lands mid-cell.
    func startSlowRun() throws -> ChildProcess {
        let data = directory.file("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let line = #"{"rrname": "host%d.example.com.", "rrtype": "A", "rdata": ["192.0.2.1"], "time_first": 1577836800, "time_last": 1577836900, "count": 3}"#
        var text = ""
        text.reserveCapacity(600_000 * 130)
        for index in 0..<600_000 { text += line.replacingOccurrences(of: "%d", with: String(index)) + "\n" }
        try Data(text.utf8).write(to: data.appendingPathComponent("dns_events.json"))

        let binary = try #require(TestPaths.runmeBinary)
        var arguments = ["run", "--store", storePath, "--param", "data=\(data.path)"]
        for (role, file) in [("threat_feed", "urlhaus_recent.csv"), ("legit_domains", "alexa_100k.txt"), ("dga_domains", "dga_domains_header.txt")] {
            arguments += ["--param", "\(role)=\(TestPaths.sharedData.appendingPathComponent(file).path)"]
        }
        let child = ChildProcess(binary, arguments, workingDirectory: TestPaths.packageRoot)
        try child.start()
        let deadline = Date().addingTimeInterval(60)
        while !child.stdout.contains("[3] Reference data: SUCCESS") && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        Thread.sleep(forTimeInterval: 0.3)
        return child
    }

    @Test func aSecondSignalExitsAtOnceWith130() throws {
        let child = try startSlowRun()
        // SIGINT and SIGTERM count alike. Two of one kind sent back to back would be merged
        // into one by the kernel (standard signals are not queued), and after the first is
        // taken cancelling takes some 35 ms, too short a window to aim a second one at; one
        // of each kind arrives as two, whichever the process handles first.
        child.signal(SIGINT)
        child.signal(SIGTERM)
        let (status, timedOut) = child.wait(timeout: 30)
        #expect(!timedOut)
        #expect(status == 130, "\(child.stdout)\n\(child.stderr)")
        #expect(child.stderr.contains("exiting without waiting for the tasks to stop"))
    }

    @Test func ctrlCCancelsTheRunCleanly() throws {
        let child = try startSlowRun()
        child.signal(SIGINT)
        let (status, timedOut) = child.wait(timeout: 30)
        #expect(!timedOut)
        #expect(status == 1, "\(child.stdout)\n\(child.stderr)")
        #expect(child.stderr.contains("cancelling"))
        let run = try showRun(1)
        #expect(run["resultState"] as? String == "CANCELED")
        let tasks = try #require(run["tasks"] as? [[String: Any]])
        #expect(tasks.map { $0["resultState"] as? String } == ["CANCELED", "CANCELED", "CANCELED", "CANCELED"])
        let transcript = try String(contentsOfFile: try #require(tasks.first?["transcript"] as? String), encoding: .utf8)
        #expect(transcript.contains("## [4] Load bronze_dns\n\n_CANCELED"))
        // The cancelled load rolled back: no half-loaded table looks complete.
        let lakehouse = try Database(path: directory.file("store/lakehouse.db").path, mode: .readOnly)
        #expect(try lakehouse.scalar("SELECT count(*) FROM bronze_dns")?.int64Value == 0)
        #expect(try lakehouse.scalar("SELECT count(*) FROM loads")?.int64Value == 0)
        // No task value was handed on from the cancelled task.
        #expect((run["taskValues"] as? [[String: Any]])?.isEmpty == true)
    }
}
