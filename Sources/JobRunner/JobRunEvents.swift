import Tracking

/// What happens during a job run, as the runner reports it to an observer (the CLI's live
/// view, a test). Events arrive from several tasks at once; observers must be thread-safe.
public enum JobRunEvent: Sendable {
    /// The run started (or a repair of it); `tasks` are the keys that will run, in order.
    case runStarted(jobRunID: Int64, jobName: String, tasks: [String], repairID: Int64?)
    /// A notice for the user, such as ignored manifest keys.
    case notice(String)
    /// A task changed state (attempt 0 is the first).
    case taskState(taskKey: String, attempt: Int, lifeCycle: LifeCycleState, result: ResultState?, message: String)
    /// A cell started.
    case cellStarted(taskKey: String, index: Int, name: String)
    /// A cell ended.
    case cellFinished(taskKey: String, index: Int, name: String, state: CellRecord.State, duration: Double)
    /// A line a cell printed.
    case output(taskKey: String, line: String)
    /// How far a long operation of a task is (a download, a load): shown live, not kept.
    case progress(taskKey: String, text: String)
    /// The run ended.
    case runFinished(jobRunID: Int64, lifeCycle: LifeCycleState, result: ResultState?, message: String)
}

/// Receives job-run events.
public protocol JobRunObserver: Sendable {
    func handle(_ event: JobRunEvent)
}

/// An observer that ignores everything.
public struct SilentObserver: JobRunObserver {
    public init() {}
    public func handle(_ event: JobRunEvent) {}
}
