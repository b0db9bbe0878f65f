import Alerts
import ArgumentParser
import DNSAnalyticsJob
import Foundation
import JobRunner
import Tracking

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the job, or selected tasks of it.",
        discussion: """
            Runs the tasks of the job manifest in dependency order, independent tasks at the same \
            time, with the retries, timeouts and run-if conditions the manifest sets. A live view \
            shows each task's state and elapsed time (plain lines when stdout is not a terminal); \
            a summary table follows, and the last lines name the command that shows the run and \
            the job-run page.

            --task KEY (repeatable) runs only those tasks; the task values of their upstream tasks \
            come from the latest successful run of each. --from KEY runs KEY and everything \
            downstream of it. Ctrl-C cancels the run cleanly (twice: exit at once).

            Examples:
              runme run
              runme run --param data=../shared/data --param automl_timeout_minutes=2
              runme run --task 03_scoring
              runme run --from 02_automl
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .long, help: ArgumentHelp("The job manifest.", valueName: "file"))
    var job: String = DNSAnalyticsJob.defaultManifestPath

    @Option(name: .customLong("param"), help: ArgumentHelp("Override a job parameter (repeatable).", valueName: "name=value"))
    var params: [String] = []

    @Option(name: .customLong("task"), help: ArgumentHelp("Run only this task (repeatable).", valueName: "key"))
    var tasks: [String] = []

    @Option(name: .customLong("from"), help: ArgumentHelp("Run this task and everything downstream of it.", valueName: "key"))
    var from: String?

    func validate() throws {
        if !tasks.isEmpty && from != nil {
            throw ValidationError("--task and --from cannot be combined: --task runs only the named tasks, --from a task and its downstream tasks.")
        }
        for param in params where !param.contains("=") || param.hasPrefix("=") {
            throw ValidationError("--param takes NAME=VALUE, got '\(param)'")
        }
    }

    func run() async throws {
        let manifest = try JobManifest.load(path: job, knownSteps: DNSAnalyticsJob.steps.names)
        var overrides: [String: String] = [:]
        for param in params {
            let parts = param.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            overrides[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        do {
            try AlertsPreflight.check(manifest: manifest, overrides: overrides)
        } catch let error as AlertDefinitionErrors {
            throw RunmeError(message: error.description)
        }
        let selection: RunRequest.Selection = from.map { .from($0) } ?? (tasks.isEmpty ? .all : .tasks(tasks))
        let store = try storeOptions.openForWriting()
        let view = LiveView(taskKeys: manifest.tasks.map(\.taskKey))
        let runner = JobRunner(store: store, steps: DNSAnalyticsJob.steps, observer: view)
        let request = RunRequest(manifest: manifest, parameterOverrides: overrides, selection: selection)
        let outcome = try await CancellableRun.run(view: view) { try await runner.run(request) }
        try RunSummary.print(outcome: outcome, store: store, storeOptions: storeOptions)
        if !outcome.succeeded { throw ExitCode.failure }
    }
}

struct RepairCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair",
        abstract: "Rerun the failed, cancelled and timed-out tasks of a run, and their dependents.",
        discussion: """
            Reruns, within the same job run, every task that did not succeed and every task \
            downstream of one, with the manifest and parameters the run used. Tasks that \
            succeeded keep their results and task values. The repair is recorded in the run's \
            history (`runme runs show RUN_ID`).
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: "The job run to repair (see `runme runs`).")
    var runID: Int64

    func run() async throws {
        let store = try storeOptions.openForWriting()
        let view = LiveView(taskKeys: [])
        let runner = JobRunner(store: store, steps: DNSAnalyticsJob.steps, observer: view)
        let outcome = try await CancellableRun.run(view: view) { try await runner.repair(jobRunID: runID) }
        try RunSummary.print(outcome: outcome, store: store, storeOptions: storeOptions)
        if !outcome.succeeded { throw ExitCode.failure }
    }
}

/// Runs a job on a task that SIGINT and SIGTERM cancel; a second signal exits at once.
enum CancellableRun {
    static func run(view: LiveView, _ body: @escaping @Sendable () async throws -> JobRunOutcome) async throws -> JobRunOutcome {
        let task = Task { try await body() }
        let signals = SignalWatcher { count in
            if count == 1 {
                view.note("cancelling: stopping the running tasks (press Ctrl-C again to exit at once)")
                task.cancel()
            } else {
                FileHandle.standardError.write(Data("runme: exiting without waiting for the tasks to stop\n".utf8))
                exit(130)
            }
        }
        defer { signals.stop() }
        let outcome = try await task.value
        view.stop()
        return outcome
    }
}

/// Watches SIGINT and SIGTERM and reports how many have arrived.
final class SignalWatcher: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]

    init(_ handler: @escaping @Sendable (Int) -> Void) {
        let counter = SignalCounter()
        var sources: [any DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            // Signals that arrive before the handler runs are merged into one event, and
            // `data` says how many: each counts. (The kernel itself keeps at most one pending
            // signal of a kind, so SIGINT and SIGTERM together always count as two.)
            source.setEventHandler { handler(counter.add(max(1, Int(source.data)))) }
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }

    func stop() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}

final class SignalCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    /// Adds `signals` and returns the total so far.
    func add(_ signals: Int) -> Int {
        lock.lock()
        defer { lock.unlock() }
        count += signals
        return count
    }
}
