import Foundation
import Tracking

/// The AutoML search: cost-frugal local searches over three model families, two trials at once,
/// under a time budget and a trial limit, every trial a nested tracking run.
///
/// Each algorithm first runs its cheapest configuration. After that the next algorithm is drawn
/// with weight `1 / mean trial cost`, doubled for the algorithm holding the best score and
/// shrunk by `exp(-gap / 0.02)` (at least 5%) for one whose best trails the leader by `gap`, so
/// cheap and promising families are explored more and the leader gets refined; within an algorithm `LocalSearch`
/// moves from the cheap corner toward costlier configurations only while they improve.
///
/// The budget: no trial starts after the deadline, and a trial's rounds (trees for a forest)
/// are capped by what the remaining time allows at the seconds per round seen so far, so a
/// running trial ends near the deadline rather than far past it.
public struct AutoMLSearch: Sendable {
    /// The split, featurized data.
    public let data: AutoMLDataset
    /// Budget, trial limit, metric, seed.
    public let settings: AutoMLSettings
    /// Where trials are recorded; nil runs untracked (trials get no run id).
    public let tracking: AutoMLTracking?

    /// A search over `data`.
    public init(data: AutoMLDataset, settings: AutoMLSettings, tracking: AutoMLTracking? = nil) {
        self.data = data
        self.settings = settings
        self.tracking = tracking
    }

    /// Runs the search; `onTrial` sees each trial as it finishes (for progress).
    public func run(onTrial: @Sendable (TrialRecord) -> Void = { _ in }) async throws -> AutoMLResult {
        try settings.validate()
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + .milliseconds(Int64(settings.timeBudgetSeconds * 1000))
        let featurizerJSON = try data.featurizer.jsonData()
        let fingerprint = try data.featurizer.fingerprint()
        let summary = TrialNotebook.DataSummary(data, seed: settings.seed, fingerprint: fingerprint)
        var state = SearchState(seed: settings.seed)
        var trials: [TrialRecord] = []
        var started = 0
        var stoppedByBudget = false

        try await withThrowingTaskGroup(of: TrialRecord.self) { group in
            func startNext() -> Bool {
                guard started < settings.maxTrials, !Task.isCancelled else { return false }
                let remaining = deadline - clock.now
                guard remaining > .zero else {
                    stoppedByBudget = true
                    return false
                }
                let remainingSeconds = remaining / .seconds(1)
                let configuration = state.next(remainingSeconds: remainingSeconds)
                started += 1
                let data = self.data
                let seed = settings.seed
                let criterion = settings.primaryMetric.thresholdCriterion
                group.addTask {
                    await Self.runOffPool(configuration, data: data, seed: seed, threshold: criterion)
                }
                return true
            }
            for _ in 0..<settings.concurrency where startNext() {}
            while let finished = try await group.next() {
                var record = try self.record(finished, number: trials.count + 1, featurizerJSON: featurizerJSON, fingerprint: fingerprint,
                                         summary: summary)
                let since = clock.now - start
                record.finishedAfterSeconds = since / .seconds(1)
                trials.append(record)
                if let outcome = record.outcome, let value = record.primaryValue {
                    state.report(outcome, score: settings.primaryMetric.higherIsBetter ? value : -value)
                }
                onTrial(record)
                _ = startNext()
            }
        }
        let successful = trials.filter { $0.primaryValue != nil }
        guard var best = successful.first else {
            throw AutoMLError.noSuccessfulTrial(trials.last?.error ?? "no trial started")
        }
        for trial in successful.dropFirst() {
            if let value = trial.primaryValue, let bestValue = best.primaryValue,
               settings.primaryMetric.isBetter(value, than: bestValue) { best = trial }
        }
        let elapsed = clock.now - start
        return AutoMLResult(trials: trials, best: best, stoppedByBudget: stoppedByBudget && started < settings.maxTrials,
                            elapsedSeconds: elapsed / .seconds(1))
    }

    /// XGBoost blocks its thread for the whole trial: run it on a Dispatch thread so that the
    /// cooperative pool (two threads here) stays free for the runner's own tasks.
    private static func runOffPool(_ configuration: TrialConfiguration, data: AutoMLDataset, seed: UInt64,
                                   threshold: ThresholdCriterion) async -> TrialRecord {
        let result: Result<TrialOutcome, any Error> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Result { try TrialRunner.run(configuration, data: data, seed: seed, threshold: threshold) })
            }
        }
        switch result {
        case let .success(outcome):
            return TrialRecord(number: 0, runID: nil, configuration: configuration, outcome: outcome, error: nil, primaryValue: nil)
        case let .failure(error):
            return TrialRecord(number: 0, runID: nil, configuration: configuration, outcome: nil, error: "\(error)", primaryValue: nil)
        }
    }

    /// Numbers a trial, computes its primary metric and records it as a child run.
    private func record(_ trial: TrialRecord, number: Int, featurizerJSON: Data, fingerprint: String,
                        summary: TrialNotebook.DataSummary) throws -> TrialRecord {
        let primary = trial.outcome.map { settings.primaryMetric.value(in: $0.validation) }
        var runID: String?
        if let tracking {
            runID = try TrialLogger(tracking: tracking).log(trial, number: number, featurizerJSON: featurizerJSON, fingerprint: fingerprint,
                                                            scalePosWeight: data.scalePosWeight, hashBuckets: data.featurizer.configuration.hashing.bucketCount,
                                                            dataSummary: summary)
        }
        return TrialRecord(number: number, runID: runID, configuration: trial.configuration, outcome: trial.outcome,
                           error: trial.error, primaryValue: primary)
    }
}
