import Foundation
import Hashing

/// A randomized local search over one algorithm's space with step-size adaptation, after
/// FLAML's CFO: start at the cheap corner, try `best ± step·u` for a random unit direction `u`,
/// keep a point when it beats the best, halve the step when a direction fails both ways, and
/// restart from a random point once the step is too small to matter.
///
/// Moving from the cheap corner one step at a time means costly configurations (many rounds,
/// deep trees, big forests) are reached only while each move toward them pays.
struct LocalSearch: Sendable {
    let algorithm: AutoMLAlgorithm
    private(set) var best: [Double]
    private(set) var bestScore: Double?
    private var step: Double
    private var pendingOpposite: [Double]?
    private var generator: SplitMix64
    private static let initialStep = 0.2
    private static let minimumStep = 0.01

    init(algorithm: AutoMLAlgorithm, seed: UInt64) {
        self.algorithm = algorithm
        best = algorithm.space.map { $0.normalize($0.initial) }
        step = Self.initialStep
        generator = SplitMix64(seed: seed)
    }

    /// Trials proposed so far, including the initial one.
    private(set) var proposals = 0

    /// The next configuration to try.
    mutating func propose() -> TrialConfiguration {
        defer { proposals += 1 }
        if proposals == 0 { return configuration(at: best) }
        if let opposite = pendingOpposite {
            pendingOpposite = nil
            return configuration(at: opposite)
        }
        let direction = randomUnitVector(dimensions: best.count)
        let forward = zip(best, direction).map { min(1, max(0, $0 + step * $1)) }
        pendingOpposite = zip(best, direction).map { min(1, max(0, $0 - step * $1)) }
        return configuration(at: forward)
    }

    /// Takes a finished trial's score (in "higher is better" form).
    mutating func report(_ configuration: TrialConfiguration, score: Double) {
        let point = algorithm.space.map { $0.normalize(configuration.values[$0.name] ?? $0.initial) }
        if let bestScore, score <= bestScore {
            // A failed forward move waits for its opposite; a failed opposite shrinks the step.
            if pendingOpposite == nil {
                step *= 0.5
                if step < Self.minimumStep {
                    best = (0..<best.count).map { _ in Double(generator.next() % 1_000_000) / 1_000_000 }
                    self.bestScore = nil
                    step = Self.initialStep
                }
            }
            return
        }
        best = point
        bestScore = score
        pendingOpposite = nil
    }

    private func configuration(at point: [Double]) -> TrialConfiguration {
        let space = algorithm.space
        var values: [String: Double] = [:]
        for (range, unit) in zip(space, point) { values[range.name] = range.denormalize(unit) }
        return TrialConfiguration(algorithm: algorithm, values: values)
    }

    private mutating func randomUnitVector(dimensions: Int) -> [Double] {
        // Box-Muller normals give a direction uniform on the sphere.
        var vector = (0..<dimensions).map { _ -> Double in
            let u1 = max(1e-12, Double(generator.next() % 1_000_000) / 1_000_000)
            let u2 = Double(generator.next() % 1_000_000) / 1_000_000
            return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
        }
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        if norm > 0 { vector = vector.map { $0 / norm } }
        return vector
    }
}
