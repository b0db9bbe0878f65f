/// Training parameters for XGBoost, typed, with XGBoost's names in `xgboostPairs()`.
///
/// `nthread` has no default on purpose: XGBoost's OpenMP threads spin while idle and take every
/// core unless told otherwise, which is ruinous on a shared machine.
public struct BoosterParameters: Sendable, Equatable, Codable {
    /// The kind of model.
    public enum BoosterKind: String, Sendable, Codable, CaseIterable {
        /// Gradient-boosted trees (and random forests with `numParallelTree > 1`).
        case gbtree
        /// A linear model fitted by coordinate descent: for wide sparse inputs.
        case gblinear
    }

    /// Trees or a linear model.
    public var booster: BoosterKind = .gbtree
    /// The learning objective; `binary:logistic` gives probabilities of the ioc class.
    public var objective: String = "binary:logistic"
    /// Learning rate (step shrinkage), in (0, 1].
    public var eta: Double = 0.3
    /// Tree depth limit (gbtree).
    public var maxDepth: Int = 6
    /// Minimum hessian sum in a leaf (gbtree).
    public var minChildWeight: Double = 1
    /// Row sampling per tree, in (0, 1] (gbtree).
    public var subsample: Double = 1
    /// Column sampling per tree, in (0, 1] (gbtree).
    public var colsampleByTree: Double = 1
    /// Column sampling per split, in (0, 1] (gbtree; random forests use it).
    public var colsampleByNode: Double = 1
    /// Trees grown per round; more than one with `eta` 1 and one round is a random forest.
    public var numParallelTree: Int = 1
    /// L2 regularisation of weights.
    public var lambda: Double = 1
    /// L1 regularisation of weights.
    public var alpha: Double = 0
    /// Weight of positive (ioc) rows relative to negative ones, for imbalanced classes.
    public var scalePosWeight: Double = 1
    /// Tree construction algorithm (gbtree); `hist` is the fast one.
    public var treeMethod: String = "hist"
    /// Linear updater (gblinear): `shotgun` (parallel) or `coord_descent` (deterministic).
    public var linearUpdater: String = "coord_descent"
    /// Threads XGBoost may use. Required.
    public var nthread: Int
    /// Random seed for sampling.
    public var seed: UInt64 = 0
    /// Metrics evaluated each round, in this order.
    public var evalMetrics: [EvalMetric] = [.logloss, .auc]
    /// XGBoost's log level: 0 silent, 1 warnings, 2 info.
    public var verbosity: Int = 1
    /// Other XGBoost parameters passed through as they are (name, value), after the typed ones.
    public var extra: [String: String] = [:]

    /// Parameters for `booster` with XGBoost's defaults and the given thread count.
    public init(booster: BoosterKind = .gbtree, nthread: Int) {
        self.booster = booster
        self.nthread = nthread
    }

    /// A random forest in XGBoost's sense: one round of `trees` parallel trees, no shrinkage,
    /// rows and columns sampled per tree and split (the accelerator's model family).
    public static func randomForest(trees: Int, maxDepth: Int = 12, rowSample: Double = 0.8,
                                    columnSamplePerNode: Double = 0.8, nthread: Int, seed: UInt64 = 0) -> BoosterParameters {
        var parameters = BoosterParameters(booster: .gbtree, nthread: nthread)
        parameters.numParallelTree = trees
        parameters.eta = 1
        parameters.maxDepth = maxDepth
        parameters.subsample = rowSample
        parameters.colsampleByNode = columnSamplePerNode
        parameters.lambda = 1e-5
        parameters.seed = seed
        return parameters
    }

    /// Refuses values XGBoost would reject later with a less helpful message.
    public func validate() throws {
        guard nthread >= 1 else { throw XGBoostError.invalidParameter(name: "nthread", detail: "\(nthread); give at least 1 thread explicitly") }
        guard eta > 0, eta <= 1 else { throw XGBoostError.invalidParameter(name: "eta", detail: "\(eta) is not in (0, 1]") }
        guard maxDepth >= 0 else { throw XGBoostError.invalidParameter(name: "max_depth", detail: "\(maxDepth) is negative") }
        guard minChildWeight >= 0 else { throw XGBoostError.invalidParameter(name: "min_child_weight", detail: "\(minChildWeight) is negative") }
        for (name, value) in [("subsample", subsample), ("colsample_bytree", colsampleByTree), ("colsample_bynode", colsampleByNode)] {
            guard value > 0, value <= 1 else { throw XGBoostError.invalidParameter(name: name, detail: "\(value) is not in (0, 1]") }
        }
        guard numParallelTree >= 1 else { throw XGBoostError.invalidParameter(name: "num_parallel_tree", detail: "\(numParallelTree) is below 1") }
        guard lambda >= 0, alpha >= 0 else { throw XGBoostError.invalidParameter(name: "lambda/alpha", detail: "regularisation must be >= 0") }
        guard scalePosWeight > 0 else { throw XGBoostError.invalidParameter(name: "scale_pos_weight", detail: "\(scalePosWeight) must be > 0") }
        if booster == .gblinear, numParallelTree != 1 {
            throw XGBoostError.invalidParameter(name: "num_parallel_tree", detail: "random-forest mode needs booster gbtree")
        }
    }

    /// The parameters as XGBoost names them, in the order they are set.
    ///
    /// Only those that apply to the booster kind are included: XGBoost warns on stderr about
    /// every parameter a booster does not use.
    public func xgboostPairs() -> [(String, String)] {
        var pairs: [(String, String)] = [
            ("booster", booster.rawValue),
            ("objective", objective),
            ("nthread", String(nthread)),
            ("seed", String(seed)),
            ("verbosity", String(verbosity)),
            ("eta", Self.number(eta)),
            ("lambda", Self.number(lambda)),
            ("alpha", Self.number(alpha)),
            ("scale_pos_weight", Self.number(scalePosWeight)),
        ]
        switch booster {
        case .gbtree:
            pairs += [
                ("tree_method", treeMethod),
                ("max_depth", String(maxDepth)),
                ("min_child_weight", Self.number(minChildWeight)),
                ("subsample", Self.number(subsample)),
                ("colsample_bytree", Self.number(colsampleByTree)),
                ("colsample_bynode", Self.number(colsampleByNode)),
                ("num_parallel_tree", String(numParallelTree)),
            ]
        case .gblinear:
            pairs.append(("updater", linearUpdater))
        }
        for metric in evalMetrics { pairs.append(("eval_metric", metric.rawValue)) }
        for key in extra.keys.sorted() { pairs.append((key, extra[key] ?? "")) }
        return pairs
    }

    /// Shortest text that reads back as the same Double.
    static func number(_ value: Double) -> String { "\(value)" }
}

/// An evaluation metric XGBoost computes each round.
public enum EvalMetric: String, Sendable, Codable, CaseIterable {
    /// Negative log-likelihood (natural log).
    case logloss
    /// Area under the ROC curve.
    case auc
    /// Area under the precision-recall curve.
    case aucpr
    /// Error rate at threshold 0.5.
    case error

    /// Whether a larger value is a better model (for early stopping).
    public var higherIsBetter: Bool {
        switch self {
        case .auc, .aucpr: return true
        case .logloss, .error: return false
        }
    }
}
