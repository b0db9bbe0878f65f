import Foundation

/// The model families the AutoML search tries.
public enum AutoMLAlgorithm: String, Sendable, Codable, CaseIterable {
    /// Gradient-boosted trees on the dense domain features.
    case xgboost
    /// XGBoost's random-forest mode on the dense features: one round of parallel trees.
    case randomForest = "random_forest"
    /// A linear model on hashed character n-grams plus the dense features.
    case linear

    /// Whether the model reads hashed n-grams (sparse rows) rather than the dense features only.
    public var usesHashedNGrams: Bool { self == .linear }
}

/// One hyperparameter's range; the search moves in log space for `logScale` ones.
public struct HyperparameterRange: Sendable, Equatable {
    /// The hyperparameter's name, as logged.
    public let name: String
    /// Smallest value.
    public let lower: Double
    /// Largest value.
    public let upper: Double
    /// The cheap value the search starts from.
    public let initial: Double
    /// Whether steps are taken in log space (rounds, rates, regularisation).
    public let logScale: Bool
    /// Whether values are rounded to integers.
    public let isInteger: Bool

    /// A range of values with the cheap starting point `initial`.
    public init(_ name: String, _ lower: Double, _ upper: Double, initial: Double, log: Bool = false, integer: Bool = false) {
        self.name = name
        self.lower = lower
        self.upper = upper
        self.initial = initial
        self.logScale = log
        self.isInteger = integer
    }

    /// Maps a value to [0, 1] (log scale when `logScale`).
    func normalize(_ value: Double) -> Double {
        if logScale { return (Foundation.log(value) - Foundation.log(lower)) / (Foundation.log(upper) - Foundation.log(lower)) }
        return (value - lower) / (upper - lower)
    }

    /// Maps a point of [0, 1] back to a value (clamped, rounded for integers).
    func denormalize(_ unit: Double) -> Double {
        let clamped = min(1, max(0, unit))
        var value = logScale ? Foundation.exp(Foundation.log(lower) + clamped * (Foundation.log(upper) - Foundation.log(lower)))
                             : lower + clamped * (upper - lower)
        if isInteger { value = value.rounded() }
        return min(upper, max(lower, value))
    }
}

extension AutoMLAlgorithm {
    /// The tree boosters' class weight as a searched exponent: ioc rows weigh
    /// `(legit / ioc) ^ power`, from unweighted (0) to balanced (1). Trials before this
    /// hyperparameter existed trained balanced, so a logged trial without it reads as 1.
    public static let classWeightPower = "class_weight_power"

    /// The search space. Initial values are cheap (few rounds, moderate trees, small forests), as
    /// in FLAML, so the search only pays for costly configurations while they improve; the
    /// boosted trees start at 32 rounds of depth 6 rather than FLAML's 4 shallow ones because on
    /// this data such a model trains in well under a second and is already a strong baseline,
    /// which matters when other work shares the cores and a 2-minute budget buys few trials.
    public var space: [HyperparameterRange] {
        switch self {
        case .xgboost:
            return [
                HyperparameterRange("rounds", 8, 800, initial: 32, log: true, integer: true),
                HyperparameterRange("max_depth", 2, 12, initial: 6, integer: true),
                HyperparameterRange("eta", 0.01, 1, initial: 0.3, log: true),
                HyperparameterRange("min_child_weight", 0.1, 32, initial: 1, log: true),
                HyperparameterRange("subsample", 0.5, 1, initial: 1),
                HyperparameterRange("colsample_bytree", 0.5, 1, initial: 1),
                HyperparameterRange("lambda", 0.01, 100, initial: 1, log: true),
                HyperparameterRange(Self.classWeightPower, 0, 1, initial: 0.5),
            ]
        case .randomForest:
            return [
                HyperparameterRange("trees", 4, 300, initial: 16, log: true, integer: true),
                HyperparameterRange("max_depth", 3, 16, initial: 6, integer: true),
                HyperparameterRange("subsample", 0.5, 1, initial: 0.8),
                HyperparameterRange("colsample_bynode", 0.3, 1, initial: 0.8),
                HyperparameterRange(Self.classWeightPower, 0, 1, initial: 0.5),
            ]
        case .linear:
            return [
                HyperparameterRange("rounds", 4, 200, initial: 4, log: true, integer: true),
                HyperparameterRange("eta", 0.05, 1, initial: 0.5, log: true),
                HyperparameterRange("lambda", 1e-4, 10, initial: 1e-3, log: true),
                HyperparameterRange("alpha", 1e-5, 1, initial: 1e-5, log: true),
            ]
        }
    }

    /// The cheap starting configuration.
    public var initialConfiguration: [String: Double] {
        Dictionary(uniqueKeysWithValues: space.map { ($0.name, $0.initial) })
    }
}
