import Tracking

/// What to run: a manifest, parameter overrides, and which tasks.
public struct RunRequest: Sendable {
    /// Which tasks of the job run.
    public enum Selection: Sendable, Equatable {
        /// Every task, in dependency order.
        case all
        /// Only these tasks; their upstream task values come from the latest successful run
        /// of each upstream task (`runme run --task KEY`).
        case tasks([String])
        /// This task and everything downstream of it (`runme run --from KEY`).
        case from(String)
    }

    public var manifest: JobManifest
    /// `--param NAME=VALUE` overrides of job parameters.
    public var parameterOverrides: [String: String]
    public var selection: Selection

    public init(manifest: JobManifest, parameterOverrides: [String: String] = [:], selection: Selection = .all) {
        self.manifest = manifest
        self.parameterOverrides = parameterOverrides
        self.selection = selection
    }
}

/// How a job run (or a repair) ended.
public struct JobRunOutcome: Sendable {
    public var jobRunID: Int64
    public var repairID: Int64?
    public var lifeCycle: LifeCycleState
    public var result: ResultState?
    public var message: String
    /// The final result of every task of the job that has one in this run.
    public var taskResults: [String: ResultState]

    public var succeeded: Bool { result == .success }
}

/// A request that cannot run as asked; nothing was started (exit code 2).
public enum RunRequestError: Error, CustomStringConvertible, Sendable {
    case unknownParameter(name: String, job: String, known: [String])
    case malformedParameter(String)
    case unknownTask(key: String, job: String, known: [String])
    case noSuccessfulUpstream(task: String, upstream: String)
    case nothingToRepair(jobRunID: Int64, state: String)
    case storedManifestUnreadable(jobRunID: Int64, reason: String)

    public var description: String {
        switch self {
        case let .unknownParameter(name, job, known):
            return "job '\(job)' has no parameter '\(name)'; its parameters are \(known.joined(separator: ", ")). Check the name in --param \(name)=…"
        case let .malformedParameter(text):
            return "--param takes NAME=VALUE, got '\(text)'"
        case let .unknownTask(key, job, known):
            return "job '\(job)' has no task '\(key)'; its tasks are \(known.joined(separator: ", "))"
        case let .noSuccessfulUpstream(task, upstream):
            return "task '\(task)' depends on '\(upstream)', which has no successful run in this store to read task values from. Run it first (runme run --task \(upstream)), or use --from \(upstream)."
        case let .nothingToRepair(jobRunID, state):
            return "job run \(jobRunID) has nothing to repair: \(state). `runme runs show \(jobRunID)` shows its tasks."
        case let .storedManifestUnreadable(jobRunID, reason):
            return "the manifest stored with job run \(jobRunID) can no longer be used: \(reason)"
        }
    }
}
