import Foundation
import Tracking

/// How long and how the AutoML search runs.
public struct AutoMLSettings: Sendable {
    /// Wall-clock budget: no trial starts after it, and trials are given round limits that fit.
    public var timeBudgetSeconds: Double
    /// The most trials.
    public var maxTrials: Int
    /// The validation metric trials are ranked by.
    public var primaryMetric: PrimaryMetric
    /// Seed of the search (and of XGBoost's sampling).
    public var seed: UInt64
    /// Trials at once, each with one XGBoost thread.
    public var concurrency: Int

    /// Settings with two trials at once.
    public init(timeBudgetSeconds: Double, maxTrials: Int, primaryMetric: PrimaryMetric = .f1, seed: UInt64 = 42, concurrency: Int = 2) {
        self.timeBudgetSeconds = timeBudgetSeconds
        self.maxTrials = maxTrials
        self.primaryMetric = primaryMetric
        self.seed = seed
        self.concurrency = concurrency
    }

    func validate() throws {
        guard timeBudgetSeconds > 0, timeBudgetSeconds.isFinite else { throw AutoMLError.invalidSetting("time budget \(timeBudgetSeconds) s must be above 0") }
        guard maxTrials >= 1 else { throw AutoMLError.invalidSetting("max trials \(maxTrials) must be at least 1") }
        guard concurrency >= 1 else { throw AutoMLError.invalidSetting("concurrency \(concurrency) must be at least 1") }
    }
}

/// Where trials are recorded: child runs of `parentRunID` in `experimentID`.
public struct AutoMLTracking: Sendable {
    /// The store to log to.
    public let store: TrackingStore
    /// The experiment of the parent run.
    public let experimentID: Int64
    /// The run trials nest under (the AutoML task's own run).
    public let parentRunID: String
    /// The job run and task that log the trials, if any.
    public let jobRunID: Int64?
    /// The task key, with `jobRunID`.
    public let taskKey: String?

    /// Trials nested under `parentRunID`.
    public init(store: TrackingStore, experimentID: Int64, parentRunID: String, jobRunID: Int64? = nil, taskKey: String? = nil) {
        self.store = store
        self.experimentID = experimentID
        self.parentRunID = parentRunID
        self.jobRunID = jobRunID
        self.taskKey = taskKey
    }
}
