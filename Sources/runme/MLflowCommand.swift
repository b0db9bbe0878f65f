import ArgumentParser
import Fetch
import Foundation
import MLflowExport
import Tracking

struct MLflowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mlflow",
        abstract: "Publish the experiment store to an MLflow tracking server.",
        subcommands: [MLflowExportCommand.self]
    )
}

struct MLflowExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export experiments, runs, metrics, artifacts and registered models to an MLflow server.",
        discussion: """
            Over MLflow's REST API: experiments are created or found by name; runs keep their \
            name, start and end time, status, params, tags and every metric point (step and \
            timestamp), sent through runs/log-batch within its limits; AutoML trials become \
            nested runs (mlflow.parentRunId) under their AutoML run; artifact files go through \
            the server's artifact proxy; registered models get their versions (source: the \
            MLflow run's artifact location) and aliases such as champion.

            Every MLflow run carries the tag runme.run_id. Exporting again finds those runs, \
            sends only what changed, and skips runs whose runme.export_digest tag matches, so \
            nothing is duplicated and a failed export can simply be run again. Transient \
            failures (network errors, 429, 5xx) are retried with backoff; a failure is \
            reported for its object and the export goes on.

            The server: --tracking-uri, else MLFLOW_TRACKING_URI. Credentials: \
            MLFLOW_TRACKING_TOKEN (Bearer), else MLFLOW_TRACKING_USERNAME and \
            MLFLOW_TRACKING_PASSWORD (Basic). Start a server with artifact serving, e.g. \
            `mlflow server --backend-store-uri sqlite:///mlflow.db --artifacts-destination ./mlartifacts`.

            Exit codes: 0 everything exported; 1 the server could not be reached or refused, \
            or some objects failed (listed on standard error); 2 usage error or no store.
            """
    )

    @Option(name: .customLong("tracking-uri"), help: ArgumentHelp(
        "The MLflow tracking server (default: $MLFLOW_TRACKING_URI).", valueName: "url"))
    var trackingURI: String?

    @Option(name: .customLong("experiment"), help: ArgumentHelp(
        "Export this experiment (repeatable; default: all).", valueName: "name"))
    var experiments: [String] = []

    @Option(name: .customLong("run"), help: ArgumentHelp(
        "Export this run (its id, or its first 6 or more characters), its nested runs and the runs it is nested in (repeatable).", valueName: "run-id"))
    var runs: [String] = []

    @Flag(name: .customLong("no-models"), help: "Leave registered models, versions and aliases out.")
    var noModels = false

    @Flag(name: .shortAndLong, help: "Print a line for unchanged objects too.")
    var verbose = false

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let store = try storeOptions.openForReading()
        let connection: MLflowConnection
        do {
            connection = try MLflowConnection.from(trackingURI: trackingURI, environment: ProcessInfo.processInfo.environment)
        } catch {
            throw RunmeError(message: error.description, exitCode: .configuration)
        }
        let runIDs = try runs.map { try store.runID(matching: $0) }
        let exporter = MLflowExporter(store: store, client: MLflowClient(connection: connection))
        let printer = ExportPrinter(verbose: verbose)
        print("Exporting \(store.directory.path) to \(connection.baseURL)")
        fflush(nil)
        let summary: MLflowExportSummary
        do {
            summary = try await exporter.export(
                MLflowExporter.Options(experimentNames: experiments, runIDs: runIDs, includeModels: !noModels), progress: printer)
        } catch {
            printer.end()
            if case .configuration = error { throw RunmeError(message: error.description, exitCode: .configuration) }
            if case .store = error { throw RunmeError(message: error.description, exitCode: .configuration) }
            throw RunmeError(message: "export to \(connection.baseURL) failed: \(error.description)", exitCode: .failure)
        }
        for line in summary.lines { print(line) }
        guard summary.failures.isEmpty else {
            let transient = summary.failures.allSatisfy { $0.error.isTransient }
            throw RunmeError(
                message: "\(summary.failures.count) object(s) failed (listed above)"
                    + (transient ? "; the failures look transient: run the export again" : "; fix what the messages say and run the export again"),
                exitCode: .failure)
        }
    }
}

/// Prints a line per exported object on standard output, failures on standard error, and a
/// progress bar on standard error when it is a terminal.
final class ExportPrinter: MLflowExportProgress, @unchecked Sendable {
    private let verbose: Bool
    private let drawsBar = isatty(STDERR_FILENO) == 1
    private let lock = NSLock()
    private var barShown = false

    init(verbose: Bool) {
        self.verbose = verbose
    }

    func begin(total: Int) {
        draw(done: 0, total: total)
    }

    func finished(object line: String, changed: Bool, done: Int, total: Int) {
        lock.lock()
        defer { lock.unlock() }
        clearBar()
        if changed || verbose {
            print(line)
            fflush(nil)
        }
        drawLocked(done: done, total: total)
    }

    func failed(_ failure: ExportFailure) {
        lock.lock()
        defer { lock.unlock() }
        clearBar()
        fflush(nil)
        FileHandle.standardError.write(Data("error: \(failure)\n".utf8))
    }

    func end() {
        lock.lock()
        defer { lock.unlock() }
        clearBar()
    }

    private func draw(done: Int, total: Int) {
        lock.lock()
        defer { lock.unlock() }
        drawLocked(done: done, total: total)
    }

    private func drawLocked(done: Int, total: Int) {
        guard drawsBar, total > 0 else { return }
        let width = 30
        let filled = min(width, width * done / total)
        let bar = String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
        FileHandle.standardError.write(Data("\r[\(bar)] \(done)/\(total) objects".utf8))
        barShown = true
    }

    private func clearBar() {
        guard barShown else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        barShown = false
    }
}
