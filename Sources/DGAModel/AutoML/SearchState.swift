import Foundation
import Hashing

/// Which algorithm and configuration to try next, and how many rounds fit the time left.
struct SearchState: Sendable {
    private var searches: [AutoMLAlgorithm: LocalSearch]
    /// Per algorithm: total seconds, trials, and seconds per round (per tree for forests).
    private var cost: [AutoMLAlgorithm: (seconds: Double, trials: Int, perRound: Double)] = [:]
    private var leader: (algorithm: AutoMLAlgorithm, score: Double)?
    /// Best score per algorithm, "higher is better".
    private var bestScore: [AutoMLAlgorithm: Double] = [:]
    private var generator: SplitMix64

    init(seed: UInt64) {
        var searches: [AutoMLAlgorithm: LocalSearch] = [:]
        for (offset, algorithm) in AutoMLAlgorithm.allCases.enumerated() {
            searches[algorithm] = LocalSearch(algorithm: algorithm, seed: seed &+ UInt64(offset + 1) &* 0x9E37_79B9)
        }
        self.searches = searches
        generator = SplitMix64(seed: seed)
    }

    /// The next configuration, with rounds (or trees) capped to what `remainingSeconds` allows.
    mutating func next(remainingSeconds: Double) -> TrialConfiguration {
        let algorithm = chooseAlgorithm()
        var configuration = searches[algorithm]?.propose() ?? TrialConfiguration(algorithm: algorithm, values: [:])
        if let perRound = cost[algorithm]?.perRound, perRound > 0 {
            let affordable = max(1, (remainingSeconds / perRound).rounded(.down))
            let key = algorithm == .randomForest ? "trees" : "rounds"
            if let current = configuration.values[key], current > affordable {
                var values = configuration.values
                values[key] = affordable
                configuration = TrialConfiguration(algorithm: algorithm, values: values)
            }
        }
        return configuration
    }

    /// Takes a finished trial's score, "higher is better".
    mutating func report(_ outcome: TrialOutcome, score: Double) {
        let algorithm = outcome.configuration.algorithm
        searches[algorithm]?.report(outcome.configuration, score: score)
        let units = algorithm == .randomForest ? (outcome.configuration.values["trees"] ?? 1) : Double(max(1, outcome.roundsTrained))
        var entry = cost[algorithm] ?? (0, 0, 0)
        entry.seconds += outcome.durationSeconds
        entry.trials += 1
        // The latest trial's rate: rates grow as the search moves to deeper trees.
        entry.perRound = outcome.durationSeconds / max(1, units)
        cost[algorithm] = entry
        if leader == nil || score > (leader?.score ?? -.infinity) { leader = (algorithm, score) }
        if score > (bestScore[algorithm] ?? -.infinity) { bestScore[algorithm] = score }
    }

    private mutating func chooseAlgorithm() -> AutoMLAlgorithm {
        // Every algorithm's cheap start first.
        if let untried = AutoMLAlgorithm.allCases.first(where: { (searches[$0]?.proposals ?? 0) == 0 }) { return untried }
        let weights = AutoMLAlgorithm.allCases.map { algorithm -> Double in
            guard let entry = cost[algorithm], entry.trials > 0 else { return 1 }
            let meanCost = max(0.05, entry.seconds / Double(entry.trials))
            // A family far behind the leader is unlikely to catch up soon (FLAML's estimated cost
            // for improvement makes the same call): its weight shrinks with the gap, but never
            // below 5%, so a family that is slow to start still gets trials.
            let gap = max(0, (leader?.score ?? 0) - (bestScore[algorithm] ?? (leader?.score ?? 0)))
            let promise = max(0.05, exp(-gap / 0.02))
            return (leader?.algorithm == algorithm ? 2 : 1) * promise / meanCost
        }
        let total = weights.reduce(0, +)
        var draw = Double(generator.next() % 1_000_000) / 1_000_000 * total
        for (algorithm, weight) in zip(AutoMLAlgorithm.allCases, weights) {
            draw -= weight
            if draw < 0 { return algorithm }
        }
        return AutoMLAlgorithm.allCases[AutoMLAlgorithm.allCases.count - 1]
    }
}
