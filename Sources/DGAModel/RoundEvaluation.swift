/// The metrics XGBoost reported after one training round, per data set.
public struct RoundEvaluation: Sendable, Equatable {
    /// The round (0-based).
    public let iteration: Int
    /// Data set name → metric name (as XGBoost prints it: `logloss`, `auc`, …) → value.
    public let values: [String: [String: Double]]

    /// One metric on one data set, nil when it was not evaluated.
    public func value(_ metric: EvalMetric, on dataSet: String) -> Double? {
        values[dataSet]?[metric.rawValue]
    }

    /// Metrics of a round from their values.
    public init(iteration: Int, values: [String: [String: Double]]) {
        self.iteration = iteration
        self.values = values
    }

    /// Parses `XGBoosterEvalOneIter`'s line: `[3]\ttrain-logloss:0.15\tvalidation-auc:0.99`.
    ///
    /// Data set names can contain `-`, so each entry is matched against the names that were
    /// asked for rather than split at the first dash.
    public init(parsing line: String, iteration: Int, dataSets: [String]) throws {
        var values: [String: [String: Double]] = [:]
        // Longest names first, so that "train" does not claim "train-extra-auc".
        let names = dataSets.sorted { $0.count > $1.count }
        for entry in line.split(separator: "\t").dropFirst() {
            guard let colon = entry.lastIndex(of: ":"), let value = Double(entry[entry.index(after: colon)...]) else {
                throw XGBoostError.malformedOutput(operation: "read evaluation results", detail: "entry '\(entry)' in '\(line)'")
            }
            let key = entry[..<colon]
            guard let name = names.first(where: { key.hasPrefix($0 + "-") }) else {
                throw XGBoostError.malformedOutput(operation: "read evaluation results", detail: "unknown data set in '\(entry)'")
            }
            let metric = String(key.dropFirst(name.count + 1))
            values[name, default: [:]][metric] = value
        }
        self.init(iteration: iteration, values: values)
    }
}
