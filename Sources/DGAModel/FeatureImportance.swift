import CXGBoost
import Foundation

/// How XGBoost scores a feature's importance.
public enum ImportanceType: String, Sendable, CaseIterable {
    /// Average loss reduction of the splits on the feature (trees only).
    case gain
    /// Total loss reduction of the splits on the feature (trees only).
    case totalGain = "total_gain"
    /// Average number of rows the feature's splits cover (trees only).
    case cover
    /// Number of splits on the feature; for a linear model, the weight itself.
    case weight
}

/// One feature's importance.
public struct FeatureImportance: Sendable, Equatable {
    /// The feature's name (`f<column>` when the model has no names).
    public let feature: String
    /// The score; features a tree model never split on are absent rather than 0.
    public let score: Double
}

extension Booster {
    /// Feature importance, highest first.
    ///
    /// - Parameter featureNames: names to report instead of those stored in the model.
    public func featureImportance(_ type: ImportanceType = .gain, featureNames: [String]? = nil) throws -> [FeatureImportance] {
        var config: [String: Any] = ["importance_type": type.rawValue]
        if let featureNames { config["feature_names"] = featureNames }
        let json = try JSONSerialization.data(withJSONObject: config)
        var nameCount: bst_ulong = 0
        var names: UnsafeMutablePointer<UnsafePointer<CChar>?>?
        var dimensions: bst_ulong = 0
        var shape: UnsafePointer<bst_ulong>?
        var scores: UnsafePointer<Float>?
        try xgbCheck(XGBoosterFeatureScore(handle, String(decoding: json, as: UTF8.self), &nameCount, &names, &dimensions, &shape, &scores),
                     "compute \(type.rawValue) feature importance")
        guard nameCount > 0 else { return [] }
        guard let names, let scores else {
            throw XGBoostError.malformedOutput(operation: "compute feature importance", detail: "no scores returned")
        }
        // A binary model has one score per feature; the shape is [n] or [n, 1].
        let result = (0..<Int(nameCount)).map { index in
            FeatureImportance(feature: names[index].map { String(cString: $0) } ?? "f\(index)", score: Double(scores[index]))
        }
        return result.sorted { $0.score != $1.score ? $0.score > $1.score : $0.feature < $1.feature }
    }
}
