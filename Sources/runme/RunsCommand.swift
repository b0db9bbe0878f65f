import ArgumentParser
import Foundation
import JobRunner
import Reports
import Tracking

struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List job runs, newest first.",
        subcommands: [ListRuns.self, ShowRun.self],
        defaultSubcommand: ListRuns.self
    )

    struct ListRuns: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List job runs, newest first.")

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var output: OutputOptions

        @Option(name: .long, help: "How many runs to list.")
        var limit: Int = 20

        func validate() throws {
            if limit < 1 { throw ValidationError("--limit must be at least 1") }
        }

        func run() throws {
            let store = try storeOptions.openForReading()
            let runs = try store.jobRuns(limit: limit)
            if output.json {
                try JSONOutput.print(runs.map { JobRunJSON($0, store: store, tasks: nil, values: nil, repairs: nil) })
                return
            }
            guard !runs.isEmpty else {
                print("No job runs in \(store.directory.path) yet: `runme run` starts one.")
                return
            }
            var table = TextTable(["run", "job", "type", "state", "started", "duration", "message"])
            for run in runs {
                table.add([String(run.runID), run.jobName, run.runType, RunDisplay.state(run, store: store),
                           Format.timestamp(run.startTime), run.duration.map(Format.duration) ?? "",
                           String(run.stateMessage.prefix(70))])
            }
            print(table.render(), terminator: "")
        }
    }

    struct ShowRun: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show one job run: its tasks, attempts, states, durations, task values and transcripts."
        )

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var output: OutputOptions

        @Argument(help: "The job run id (see `runme runs`).")
        var runID: Int64

        @Option(name: .long, help: ArgumentHelp(
            "Write the job-run report to this file: a self-contained HTML page with the task timeline, each task's params, metrics, task values and transcript link, data-quality counts, the model used and alert outcomes.",
            valueName: "file"))
        var html: String?

        func run() throws {
            let store = try storeOptions.openForReading()
            if let html {
                let url = URL(fileURLWithPath: html).standardizedFileURL
                let report = try JobRunReport.load(store: store, jobRunID: runID)
                try ReportFile.write(JobRunPage.render(report, location: url), to: url)
                if !output.json { print("Wrote \(url.path)") }
                if !output.json { return }
            }
            let run = try store.jobRun(id: runID)
            let tasks = try store.taskRuns(jobRunID: runID)
            let values = try store.taskValues(jobRunID: runID)
            let repairs = try store.repairs(jobRunID: runID)
            if output.json {
                try JSONOutput.print(JobRunJSON(run, store: store, tasks: tasks, values: values, repairs: repairs))
                return
            }
            print("Job run \(run.runID) of \(run.jobName): \(RunDisplay.state(run, store: store))")
            print("  started   \(Format.timestamp(run.startTime))" + (run.duration.map { ", took \(Format.duration($0))" } ?? ", still running"))
            print("  type      \(run.runType), pid \(run.pid) on \(run.host)")
            print("  manifest  \(run.manifestPath)")
            if !run.stateMessage.isEmpty { print("  message   \(run.stateMessage)") }
            if !run.parameters.isEmpty {
                print("\nParameters")
                for (name, value) in run.parameters.sorted(by: { $0.key < $1.key }) { print("  \(name) = \(value)") }
            }
            print("\nTasks")
            var table = TextTable(["task", "attempt", "repair", "state", "started", "duration", "message"])
            for task in tasks {
                table.add([task.taskKey, String(task.attempt), task.repairID.map(String.init) ?? "", RunDisplay.state(task),
                           Format.timestamp(task.startTime), task.duration.map(Format.duration) ?? "",
                           String(task.stateMessage.replacingOccurrences(of: "\n", with: " ").prefix(90))])
            }
            print(table.render(), terminator: "")
            if !values.isEmpty {
                print("\nTask values")
                for value in values {
                    let text = value.valueJSON.count > 200 ? String(value.valueJSON.prefix(200)) + "…" : value.valueJSON
                    print("  \(value.taskKey).\(value.name) = \(text)")
                }
            }
            if !repairs.isEmpty {
                print("\nRepairs")
                for repair in repairs {
                    print("  repair \(repair.repairID): \(repair.resultState?.rawValue ?? "RUNNING"), started \(Format.timestamp(repair.startTime)), reran \(repair.taskKeys.joined(separator: ", "))")
                }
            }
            let transcripts = tasks.compactMap { task -> (TaskRunRecord, URL)? in
                guard let runID = task.trackingRunID, let directory = try? store.artifactDirectory(runID: runID) else { return nil }
                return (task, directory.appendingPathComponent("transcript/transcript.md"))
            }
            if !transcripts.isEmpty {
                print("\nTranscripts (Markdown; .html beside each)")
                for (task, file) in transcripts {
                    print("  \(task.taskKey) attempt \(task.attempt): \(file.path)")
                }
            }
        }
    }
}

/// How runs are described in listings.
enum RunDisplay {
    static func state(_ run: JobRunRecord, store: TrackingStore) -> String {
        if store.isAbandoned(run) { return "\(run.lifeCycleState.rawValue) (process \(run.pid) gone)" }
        return run.resultState?.rawValue ?? run.lifeCycleState.rawValue
    }

    static func state(_ task: TaskRunRecord) -> String {
        guard let result = task.resultState else { return task.lifeCycleState.rawValue }
        return task.lifeCycleState == .terminated ? result.rawValue : "\(result.rawValue) (\(task.lifeCycleState.rawValue))"
    }
}

/// The JSON shape of a job run in `runs --json` and `runs show --json`.
struct JobRunJSON: Encodable {
    struct TaskJSON: Encodable {
        var taskRunID: Int64
        var taskKey: String
        var notebookPath: String
        var attempt: Int
        var repairID: Int64?
        var lifeCycleState: String
        var resultState: String?
        var stateMessage: String
        var parameters: [String: String]
        var trackingRunID: String?
        var startTime: String?
        var endTime: String?
        var durationSeconds: Double?
        var transcript: String?
    }

    struct ValueJSON: Encodable {
        var taskKey: String
        var name: String
        var value: JSONValue
    }

    struct RepairJSON: Encodable {
        var repairID: Int64
        var taskKeys: [String]
        var startTime: String?
        var endTime: String?
        var resultState: String?
    }

    var runID: Int64
    var jobName: String
    var runType: String
    var lifeCycleState: String
    var resultState: String?
    var stateMessage: String
    var abandoned: Bool
    var startTime: String?
    var endTime: String?
    var durationSeconds: Double?
    var parameters: [String: String]
    var manifestPath: String
    var pid: Int32
    var host: String
    var tasks: [TaskJSON]?
    var taskValues: [ValueJSON]?
    var repairs: [RepairJSON]?

    init(_ run: JobRunRecord, store: TrackingStore, tasks: [TaskRunRecord]?, values: [TaskValueRecord]?, repairs: [RepairRecord]?) {
        runID = run.runID
        jobName = run.jobName
        runType = run.runType
        lifeCycleState = run.lifeCycleState.rawValue
        resultState = run.resultState?.rawValue
        stateMessage = run.stateMessage
        abandoned = store.isAbandoned(run)
        startTime = Format.iso(run.startTime)
        endTime = Format.iso(run.endTime)
        durationSeconds = run.duration
        parameters = run.parameters
        manifestPath = run.manifestPath
        pid = run.pid
        host = run.host
        self.tasks = tasks?.map { task in
            TaskJSON(
                taskRunID: task.taskRunID, taskKey: task.taskKey, notebookPath: task.notebookPath, attempt: task.attempt,
                repairID: task.repairID, lifeCycleState: task.lifeCycleState.rawValue, resultState: task.resultState?.rawValue,
                stateMessage: task.stateMessage, parameters: task.parameters, trackingRunID: task.trackingRunID,
                startTime: Format.iso(task.startTime), endTime: Format.iso(task.endTime), durationSeconds: task.duration,
                transcript: task.trackingRunID.flatMap { try? store.artifactDirectory(runID: $0).appendingPathComponent("transcript/transcript.md").path })
        }
        taskValues = values?.map { value in
            ValueJSON(taskKey: value.taskKey, name: value.name,
                      value: (try? JSONValue.parse(Data(value.valueJSON.utf8))) ?? .string(value.valueJSON))
        }
        self.repairs = repairs?.map { repair in
            RepairJSON(repairID: repair.repairID, taskKeys: repair.taskKeys, startTime: Format.iso(repair.startTime),
                       endTime: Format.iso(repair.endTime), resultState: repair.resultState?.rawValue)
        }
    }
}

/// The table printed when a run or repair ends.
enum RunSummary {
    static func print(outcome: JobRunOutcome, store: TrackingStore, storeOptions: StoreOptions) throws {
        let tasks = try store.taskRuns(jobRunID: outcome.jobRunID)
        var latest: [String: TaskRunRecord] = [:]
        var order: [String] = []
        for task in tasks {
            if latest[task.taskKey] == nil { order.append(task.taskKey) }
            latest[task.taskKey] = task
        }
        var table = TextTable(["task", "result", "attempts", "duration", "message"])
        for key in order {
            guard let task = latest[key] else { continue }
            let attempts = tasks.filter { $0.taskKey == key }.count
            table.add([key, RunDisplay.state(task), String(attempts), task.duration.map(Format.duration) ?? "",
                       String(task.stateMessage.replacingOccurrences(of: "\n", with: " ").prefix(90))])
        }
        Swift.print("")
        Swift.print(table.render(), terminator: "")
        let verdict = outcome.result?.rawValue ?? outcome.lifeCycle.rawValue
        Swift.print("\nJob run \(outcome.jobRunID)\(outcome.repairID.map { ", repair \($0)" } ?? ""): \(verdict). \(outcome.message)")
        var command = "runme runs show \(outcome.jobRunID)"
        if let store = storeOptions.store { command += " --store \(store)" }
        if !outcome.succeeded { command += "   (repair: runme repair \(outcome.jobRunID))" }
        Swift.print("Details: \(command)")
        // The job-run page is written into the store at the end of every run and repair, so
        // the last line can name a file to open; a failure to write it must not fail the run.
        let page = JobRunPage.defaultLocation(storeDirectory: store.directory, jobRunID: outcome.jobRunID)
        do {
            let report = try JobRunReport.load(store: store, jobRunID: outcome.jobRunID)
            try ReportFile.write(JobRunPage.render(report, location: page), to: page)
            Swift.print("Report: \(page.path)")
        } catch {
            Swift.print("Report: not written (\(error)); make it with: runme runs show \(outcome.jobRunID) --html FILE")
        }
    }
}
