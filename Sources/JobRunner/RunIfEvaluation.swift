import Tracking

extension RunIf {
    /// Whether a task with this condition runs, given how its dependencies ended; when it
    /// does not, the result state it gets instead.
    ///
    /// As in Databricks Jobs: `FAILED`, `TIMEDOUT` and `UPSTREAM_FAILED` count as failed,
    /// `CANCELED` and `UPSTREAM_CANCELED` as cancelled, and an `EXCLUDED` dependency as not
    /// run (neither succeeded nor failed). An unmet condition gives `UPSTREAM_FAILED` when a
    /// dependency failed and the condition needed success, `UPSTREAM_CANCELED` when one was
    /// cancelled, and `EXCLUDED` otherwise.
    public func decide(dependencies: [ResultState]) -> ResultState? {
        guard !dependencies.isEmpty else { return nil }
        let total = dependencies.count
        let succeeded = dependencies.filter { $0 == .success }.count
        let failed = dependencies.filter { $0 == .failed || $0 == .timedOut || $0 == .upstreamFailed }.count
        let canceled = dependencies.filter { $0 == .canceled || $0 == .upstreamCanceled }.count
        let excluded = dependencies.filter { $0 == .excluded }.count
        let met: Bool
        switch self {
        case .allSuccess: met = succeeded == total
        case .atLeastOneSuccess: met = succeeded > 0
        case .noneFailed: met = failed == 0 && canceled == 0 && excluded < total
        case .allDone: met = canceled == 0
        case .atLeastOneFailed: met = failed > 0
        case .allFailed: met = failed == total
        }
        if met { return nil }
        let needsSuccess = self == .allSuccess || self == .noneFailed || self == .atLeastOneSuccess
        if needsSuccess && failed > 0 { return .upstreamFailed }
        if canceled > 0 { return .upstreamCanceled }
        return .excluded
    }
}
