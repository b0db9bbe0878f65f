/// Where a job run or task run is in its life, named as Databricks Jobs names it.
public enum LifeCycleState: String, Sendable, Codable, CaseIterable {
    /// Waiting for its dependencies or for a place to run.
    case pending = "PENDING"
    /// Running now.
    case running = "RUNNING"
    /// Stopping after a cancel or timeout; not yet terminated.
    case terminating = "TERMINATING"
    /// Ended; the result state says how.
    case terminated = "TERMINATED"
    /// Never started: its run-if condition was not met or an upstream task failed.
    case skipped = "SKIPPED"
    /// The runner itself failed, or the process running it died without finishing it.
    case internalError = "INTERNAL_ERROR"

    /// True for states after which nothing more happens to the run.
    public var isFinal: Bool { self == .terminated || self == .skipped || self == .internalError }
}

/// How a job run or task run ended, named as Databricks Jobs names it.
public enum ResultState: String, Sendable, Codable, CaseIterable {
    case success = "SUCCESS"
    case failed = "FAILED"
    case timedOut = "TIMEDOUT"
    case canceled = "CANCELED"
    /// Not run because a dependency failed and its run-if needed it to succeed.
    case upstreamFailed = "UPSTREAM_FAILED"
    /// Not run because a dependency was cancelled.
    case upstreamCanceled = "UPSTREAM_CANCELED"
    /// Not run because its run-if condition was not met.
    case excluded = "EXCLUDED"

    /// True when the task did not succeed and a repair should run it again.
    public var needsRepair: Bool {
        switch self {
        case .failed, .timedOut, .canceled, .upstreamFailed, .upstreamCanceled: return true
        case .success, .excluded: return false
        }
    }
}
