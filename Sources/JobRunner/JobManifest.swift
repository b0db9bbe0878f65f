/// A job as its manifest defines it: shaped like a Databricks Jobs 2.1 job
/// (`name`, `parameters`, `tasks` with `task_key`, `depends_on`, `notebook_task`, …).
public struct JobManifest: Sendable, Equatable {
    public var name: String
    /// The whole run's time limit; nil for none.
    public var timeoutSeconds: Int?
    /// How many runs of this job may run at once across processes sharing a store.
    public var maxConcurrentRuns: Int
    /// Job parameters with their defaults, in manifest order.
    public var parameters: [JobParameter]
    /// Tasks in manifest order.
    public var tasks: [TaskSpec]
    /// JSON paths of keys that runme accepts and ignores (`job_clusters`, `tags`, …).
    public var ignoredKeys: [String]
    /// The file it was read from.
    public var sourcePath: String
    /// The manifest's text, kept so that a repair reruns exactly what ran.
    public var sourceText: String
    /// Where the job object sits in the file: `$`, or `$.settings` for a Jobs API export.
    public var jsonBase: String = "$"

    /// The task with this key.
    public func task(_ key: String) -> TaskSpec? { tasks.first { $0.taskKey == key } }

    /// Default values of the job parameters.
    public var parameterDefaults: [String: String] {
        Dictionary(parameters.map { ($0.name, $0.defaultValue) }, uniquingKeysWith: { first, _ in first })
    }
}

/// A job parameter: a name and its default value.
public struct JobParameter: Sendable, Equatable {
    public var name: String
    public var defaultValue: String
}

/// One task of a job.
public struct TaskSpec: Sendable, Equatable {
    public var taskKey: String
    public var description: String
    /// Keys of the tasks that must end before this one starts.
    public var dependsOn: [String]
    /// The step this task runs (`notebook_task.notebook_path`).
    public var notebookPath: String
    /// `notebook_task.base_parameters`, in manifest order; values may hold dynamic references.
    public var baseParameters: [(name: String, value: String)]
    public var timeoutSeconds: Int?
    public var maxRetries: Int
    public var minRetryIntervalMillis: Int
    public var retryOnTimeout: Bool
    public var runIf: RunIf

    public static func == (lhs: TaskSpec, rhs: TaskSpec) -> Bool {
        lhs.taskKey == rhs.taskKey && lhs.description == rhs.description && lhs.dependsOn == rhs.dependsOn
            && lhs.notebookPath == rhs.notebookPath
            && lhs.baseParameters.map(\.name) == rhs.baseParameters.map(\.name)
            && lhs.baseParameters.map(\.value) == rhs.baseParameters.map(\.value)
            && lhs.timeoutSeconds == rhs.timeoutSeconds && lhs.maxRetries == rhs.maxRetries
            && lhs.minRetryIntervalMillis == rhs.minRetryIntervalMillis && lhs.retryOnTimeout == rhs.retryOnTimeout
            && lhs.runIf == rhs.runIf
    }
}

/// When a task runs, given how its dependencies ended (Databricks `run_if`).
public enum RunIf: String, Sendable, CaseIterable {
    /// Every dependency succeeded (the default).
    case allSuccess = "ALL_SUCCESS"
    /// At least one dependency succeeded.
    case atLeastOneSuccess = "AT_LEAST_ONE_SUCCESS"
    /// No dependency failed, and at least one ran.
    case noneFailed = "NONE_FAILED"
    /// Every dependency ended, however.
    case allDone = "ALL_DONE"
    /// At least one dependency failed.
    case atLeastOneFailed = "AT_LEAST_ONE_FAILED"
    /// Every dependency failed.
    case allFailed = "ALL_FAILED"
}
