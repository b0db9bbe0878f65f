import Foundation

/// Why a report could not be made, with what to do about it.
public enum ReportError: Error, CustomStringConvertible, Sendable, Equatable {
    /// No experiment of that name in the store.
    case experimentNotFound(name: String, known: [String])
    /// The experiment has no run with AutoML trials nested in it.
    case noAutoMLRun(experiment: String)
    /// A named run has no trials nested in it.
    case notAnAutoMLRun(runID: String)
    /// `compare` needs runs.
    case noRuns
    /// An artifact the report reads is not in the expected format.
    case badArtifact(path: String, reason: String)
    /// The page could not be written.
    case cannotWrite(path: String, reason: String)
    /// A results table is missing from the lakehouse (an older store, or not created yet).
    case missingTable(name: String, database: String)

    public var description: String {
        switch self {
        case let .experimentNotFound(name, known):
            return "no experiment named '\(name)' in the store" + (known.isEmpty ? " (the store has none: run the job first with `runme run`)."
                                                                           : "; experiments: \(known.joined(separator: ", ")) (see `runme experiments`).")
        case let .noAutoMLRun(experiment):
            return "experiment '\(experiment)' has no AutoML run with trials yet: run the job (`runme run`, or `runme run --task 02_automl`) first."
        case let .notAnAutoMLRun(runID):
            return "run \(runID) has no AutoML trials nested in it: name the AutoML task's run (see `runme runs show JOB_RUN_ID`), or use `runme compare RUN_ID...`."
        case .noRuns:
            return "name at least one run id to compare."
        case let .badArtifact(path, reason):
            return "cannot read the artifact \(path): \(reason). Rerun the AutoML task to write it again."
        case let .cannotWrite(path, reason):
            return "cannot write \(path): \(reason). Check that its directory exists and is writable."
        case let .missingTable(name, database):
            return "the table \(name) is missing from \(database): the store predates it; run the job once with this runme to create it."
        }
    }
}

extension String {
    /// Writes the page atomically, creating its directory, with a typed error.
    func writeReport(to url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(utf8).write(to: url, options: .atomic)
        } catch {
            throw ReportError.cannotWrite(path: url.path, reason: error.localizedDescription)
        }
    }
}

/// Writes a rendered page to a file.
public enum ReportFile {
    /// Writes `html` to `url` (atomically, creating the directory).
    public static func write(_ html: String, to url: URL) throws {
        try html.writeReport(to: url)
    }
}
