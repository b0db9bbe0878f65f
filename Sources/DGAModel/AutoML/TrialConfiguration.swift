import Foundation

/// One point of the search: an algorithm and its hyperparameters.
public struct TrialConfiguration: Sendable, Equatable {
    /// The model family.
    public let algorithm: AutoMLAlgorithm
    /// Hyperparameter values by the names of `algorithm.space`.
    public let values: [String: Double]

    /// A configuration; missing values take the space's initial ones.
    public init(algorithm: AutoMLAlgorithm, values: [String: Double]) {
        self.algorithm = algorithm
        var filled = algorithm.initialConfiguration
        for (key, value) in values where filled[key] != nil { filled[key] = value }
        // Four significant digits, as the params are logged: a trial retrained from its logged
        // params then trains exactly the same configuration.
        self.values = filled.mapValues(Self.fourDigits)
    }

    /// A configuration from a trial's logged params (the inverse of `params`).
    ///
    /// - Throws: `AutoMLError.invalidSetting` naming a missing or unreadable param.
    public init(params: [String: String]) throws {
        guard let name = params["algorithm"], let algorithm = AutoMLAlgorithm(rawValue: name) else {
            throw AutoMLError.invalidSetting("the run has no AutoML algorithm param (found \(params["algorithm"] ?? "none")); is it an AutoML trial?")
        }
        var values: [String: Double] = [:]
        for range in algorithm.space {
            if range.name == AutoMLAlgorithm.classWeightPower && params[range.name] == nil {
                values[range.name] = 1  // trained before the weight was searched: balanced
                continue
            }
            guard let text = params[range.name], let value = Double(text) else {
                throw AutoMLError.invalidSetting("the trial's param \(range.name) is \(params[range.name] ?? "missing"), expected a number")
            }
            values[range.name] = value
        }
        self.init(algorithm: algorithm, values: values)
    }

    static func fourDigits(_ value: Double) -> Double {
        guard value.isFinite, value != 0 else { return value }
        return Double(String(format: "%.4g", value)) ?? value
    }

    /// Boosting rounds to train at most (a forest trains one round of many trees).
    public var rounds: Int {
        algorithm == .randomForest ? 1 : Int(values["rounds"] ?? 10)
    }

    /// The values as tracking params, integers without a fraction.
    public var params: [String: String] {
        var params = ["algorithm": algorithm.rawValue]
        for range in algorithm.space {
            let value = values[range.name] ?? range.initial
            params[range.name] = range.isInteger ? String(Int(value)) : String(format: "%.4g", value)
        }
        return params
    }

    /// The parameters that tell trials of one algorithm apart, for tables.
    public var summary: String {
        let keys: [String]
        switch algorithm {
        case .xgboost: keys = ["rounds", "max_depth", "eta", AutoMLAlgorithm.classWeightPower]
        case .randomForest: keys = ["trees", "max_depth", AutoMLAlgorithm.classWeightPower]
        case .linear: keys = ["rounds", "lambda", "alpha"]
        }
        let params = self.params
        return keys.map { "\($0)=\(params[$0] ?? "?")" }.joined(separator: " ")
    }

    /// The tree boosters' `scale_pos_weight` for a training split with `classRatio` legit rows
    /// per ioc row: `classRatio ^ class_weight_power` (1 for the linear model).
    public func scalePosWeight(classRatio: Double) -> Double {
        guard algorithm != .linear, classRatio > 0 else { return 1 }
        return Foundation.pow(classRatio, values[AutoMLAlgorithm.classWeightPower] ?? 1)
    }

    /// XGBoost parameters for this trial.
    ///
    /// Tree boosters weigh ioc rows by `scalePosWeight(classRatio:)`: the search tries weights
    /// between none and fully balanced, because a threshold chosen on validation already
    /// offsets the imbalance and full balancing (×37 on the accelerator's lists) makes the
    /// trees chase single ioc rows. The linear model is left unweighted because its threshold
    /// is chosen on validation anyway and weighting slows coordinate descent's convergence.
    public func boosterParameters(classRatio: Double, nthread: Int, seed: UInt64) -> BoosterParameters {
        let scalePosWeight = scalePosWeight(classRatio: classRatio)
        let value = { (name: String) -> Double in values[name] ?? 0 }
        var parameters: BoosterParameters
        switch algorithm {
        case .xgboost:
            parameters = BoosterParameters(booster: .gbtree, nthread: nthread)
            parameters.maxDepth = Int(value("max_depth"))
            parameters.eta = value("eta")
            parameters.minChildWeight = value("min_child_weight")
            parameters.subsample = value("subsample")
            parameters.colsampleByTree = value("colsample_bytree")
            parameters.lambda = value("lambda")
            parameters.scalePosWeight = scalePosWeight
            parameters.seed = seed
        case .randomForest:
            parameters = BoosterParameters.randomForest(trees: Int(value("trees")), maxDepth: Int(value("max_depth")),
                                                        rowSample: value("subsample"), columnSamplePerNode: value("colsample_bynode"),
                                                        nthread: nthread, seed: seed)
            parameters.scalePosWeight = scalePosWeight
        case .linear:
            parameters = BoosterParameters(booster: .gblinear, nthread: nthread)
            parameters.eta = value("eta")
            parameters.lambda = value("lambda")
            parameters.alpha = value("alpha")
            parameters.seed = seed
        }
        parameters.evalMetrics = [.logloss, .auc]
        parameters.verbosity = 0
        return parameters
    }
}
