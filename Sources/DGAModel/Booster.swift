import CXGBoost
import Foundation

/// A trained (or training) XGBoost model: a `BoosterHandle`, freed when the object goes.
///
/// Prediction from several threads at once is what XGBoost supports for in-place prediction;
/// training and setting parameters are not to be mixed with anything else on the same booster.
public final class Booster {
    let handle: BoosterHandle
    /// Whether the model is linear: XGBoost 1.7 cannot predict in place for gblinear, so its
    /// in-place calls go through a DMatrix instead.
    private(set) var isLinear = false
    /// Threads to use when prediction has to build a DMatrix itself.
    private(set) var threadCount = 1

    /// Model file formats XGBoost writes and reads back.
    public enum ModelFormat: String, Sendable {
        /// XGBoost's JSON model schema (readable, portable across versions).
        case json
        /// Universal Binary JSON: the same document, smaller and faster.
        case ubj
    }

    /// A booster set up for training on `cache` (the matrices it will train and evaluate on).
    public init(parameters: BoosterParameters, cache: [DMatrix] = []) throws {
        try parameters.validate()
        handle = try Self.create(cache: cache)
        // From here a throw runs deinit, which frees the handle.
        for (name, value) in parameters.xgboostPairs() {
            try setParameter(name, value)
        }
        if let names = cache.first?.featureNames { try setFeatureNames(names) }
        isLinear = parameters.booster == .gblinear
    }

    /// Loads a model saved with `save(to:)` (XGBoost JSON or UBJSON, by extension).
    ///
    /// - Parameter nthread: threads for prediction; not part of the saved model.
    public init(contentsOf url: URL, nthread: Int) throws {
        guard nthread >= 1 else { throw XGBoostError.invalidParameter(name: "nthread", detail: "\(nthread); give at least 1 thread explicitly") }
        try Self.checkExtension(url)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw XGBoostError.library(operation: "load a model", message: "no file at \(url.path)")
        }
        handle = try Self.create(cache: [])
        try xgbCheck(XGBoosterLoadModel(handle, url.path), "load the model \(url.path)")
        try setParameter("nthread", String(nthread))
        isLinear = try readIsLinear()
    }

    /// Loads a model from bytes produced by `modelData(format:)`.
    public init(modelData: Data, nthread: Int) throws {
        guard nthread >= 1 else { throw XGBoostError.invalidParameter(name: "nthread", detail: "\(nthread); give at least 1 thread explicitly") }
        guard !modelData.isEmpty else { throw XGBoostError.emptyData("the model buffer is empty") }
        handle = try Self.create(cache: [])
        try modelData.withUnsafeBytes { bytes in
            try xgbCheck(XGBoosterLoadModelFromBuffer(handle, bytes.baseAddress, bst_ulong(bytes.count)),
                         "load a model from \(bytes.count) bytes")
        }
        try setParameter("nthread", String(nthread))
        isLinear = try readIsLinear()
    }

    init(adopting handle: BoosterHandle) { self.handle = handle }

    deinit { XGBoosterFree(handle) }

    // MARK: Parameters and facts

    /// Sets one XGBoost parameter by its XGBoost name.
    public func setParameter(_ name: String, _ value: String) throws {
        try xgbCheck(XGBoosterSetParam(handle, name, value), "set parameter \(name)=\(value)")
        if name == "nthread", let threads = Int(value), threads >= 1 { threadCount = threads }
    }

    /// Rounds trained so far (for a random forest, one round holds all its trees).
    public func boostedRounds() throws -> Int {
        var rounds: Int32 = 0
        try xgbCheck(XGBoosterBoostedRounds(handle, &rounds), "count boosted rounds")
        return Int(rounds)
    }

    /// Number of input columns the model expects.
    public func featureCount() throws -> Int {
        var count: bst_ulong = 0
        try xgbCheck(XGBoosterGetNumFeature(handle, &count), "read the number of features")
        return Int(count)
    }

    /// Names the model's input columns (kept in the saved model, used by importance).
    public func setFeatureNames(_ names: [String]) throws {
        try withCStringArray(names) { pointers in
            try xgbCheck(XGBoosterSetStrFeatureInfo(handle, "feature_name", pointers, bst_ulong(names.count)),
                         "set \(names.count) feature names on the booster")
        }
    }

    /// The model's column names, empty when none were set.
    public func featureNames() throws -> [String] {
        var count: bst_ulong = 0
        var pointers: UnsafeMutablePointer<UnsafePointer<CChar>?>?
        try xgbCheck(XGBoosterGetStrFeatureInfo(handle, "feature_name", &count, &pointers), "read feature names")
        guard let pointers else { return [] }
        return (0..<Int(count)).map { pointers[$0].map { String(cString: $0) } ?? "" }
    }

    /// Stores a string attribute in the model (saved with it).
    public func setAttribute(_ key: String, _ value: String?) throws {
        try xgbCheck(XGBoosterSetAttr(handle, key, value), "set attribute \(key)")
    }

    /// A string attribute stored in the model, nil when absent.
    public func attribute(_ key: String) throws -> String? {
        var out: UnsafePointer<CChar>?
        var success: Int32 = 0
        try xgbCheck(XGBoosterGetAttr(handle, key, &out, &success), "read attribute \(key)")
        guard success == 1, let out else { return nil }
        return String(cString: out)
    }

    /// The round kept by early stopping (stored as the `best_iteration` attribute), if any.
    public func bestIteration() throws -> Int? {
        try attribute(Self.bestIterationAttribute).flatMap { Int($0) }
    }

    /// The booster's configuration as XGBoost reports it (JSON text).
    public func configurationJSON() throws -> String {
        var length: bst_ulong = 0
        var pointer: UnsafePointer<CChar>?
        try xgbCheck(XGBoosterSaveJsonConfig(handle, &length, &pointer), "read the booster configuration")
        guard let pointer else { return "{}" }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: Int(length)), as: UTF8.self)
    }

    // MARK: Saving

    /// Saves the model as XGBoost's own JSON (`.json`) or UBJSON (`.ubj`) file.
    public func save(to url: URL) throws {
        try Self.checkExtension(url)
        try xgbCheck(XGBoosterSaveModel(handle, url.path), "save the model to \(url.path)")
    }

    /// The model as bytes in the given format.
    public func modelData(format: ModelFormat = .json) throws -> Data {
        var length: bst_ulong = 0
        var pointer: UnsafePointer<CChar>?
        try xgbCheck(XGBoosterSaveModelToBuffer(handle, #"{"format": "\#(format.rawValue)"}"#, &length, &pointer),
                     "serialise the model as \(format.rawValue)")
        guard let pointer else {
            throw XGBoostError.malformedOutput(operation: "serialise the model", detail: "no buffer returned")
        }
        return Data(bytes: pointer, count: Int(length))
    }

    /// A new booster with the rounds `range` of this one (tree boosters only).
    public func slice(rounds range: Range<Int>) throws -> Booster {
        let available = try boostedRounds()
        guard range.lowerBound >= 0, range.upperBound <= available, !range.isEmpty else {
            throw XGBoostError.invalidParameter(name: "rounds", detail: "\(range.lowerBound)..<\(range.upperBound) is not within the model's \(available) rounds")
        }
        var out: BoosterHandle?
        try xgbCheck(XGBoosterSlice(handle, Int32(range.lowerBound), Int32(range.upperBound), 1, &out),
                     "slice rounds \(range.lowerBound)..<\(range.upperBound)")
        guard let out else { throw XGBoostError.malformedOutput(operation: "slice the model", detail: "no handle returned") }
        return Booster(adopting: out)
    }

    /// The booster kind as the loaded model's configuration names it.
    private func readIsLinear() throws -> Bool {
        let object = try? JSONSerialization.jsonObject(with: Data(configurationJSON().utf8))
        let learner = (object as? [String: Any])?["learner"] as? [String: Any]
        let booster = learner?["gradient_booster"] as? [String: Any]
        return (booster?["name"] as? String) == BoosterParameters.BoosterKind.gblinear.rawValue
    }

    static let bestIterationAttribute = "best_iteration"
    static let bestScoreAttribute = "best_score"

    private static func create(cache: [DMatrix]) throws -> BoosterHandle {
        var out: BoosterHandle?
        var handles: [DMatrixHandle?] = cache.map { $0.handle }
        try handles.withUnsafeMutableBufferPointer { buffer in
            try xgbCheck(XGBoosterCreate(buffer.baseAddress, bst_ulong(buffer.count), &out), "create a booster")
        }
        guard let out else { throw XGBoostError.malformedOutput(operation: "create a booster", detail: "no handle returned") }
        return out
    }

    private static func checkExtension(_ url: URL) throws {
        guard ModelFormat(rawValue: url.pathExtension.lowercased()) != nil else {
            throw XGBoostError.unsupportedModelFormat(path: url.path)
        }
    }
}
