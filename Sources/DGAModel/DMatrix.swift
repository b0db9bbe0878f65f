import Foundation
import CXGBoost

/// XGBoost's own copy of a data set (a `DMatrixHandle`), with labels and optional weights.
///
/// XGBoost copies the values when the matrix is made, so the Swift arrays can go away after.
/// Missing values are `Float.nan`. Not safe to share between threads while labels or names are
/// being set; the handle is freed when the object goes.
public final class DMatrix {
    let handle: DMatrixHandle
    /// Number of rows.
    public let rowCount: Int
    /// Number of columns.
    public let columnCount: Int
    /// Whether labels were set (training and evaluation need them).
    public private(set) var hasLabels = false
    /// Feature names given to XGBoost, if any (the booster takes them over when trained on it).
    public private(set) var featureNames: [String]?

    /// A matrix from dense row-major values.
    ///
    /// - Parameters:
    ///   - matrix: the features; `Float.nan` is missing, infinities are refused.
    ///   - labels: one label per row, 0 or 1 for the binary objective (checked at training).
    ///   - weights: one non-negative weight per row.
    ///   - featureNames: one name per column.
    ///   - nthread: threads XGBoost may use to ingest the data.
    public init(_ matrix: DenseMatrix, labels: [Float]? = nil, weights: [Float]? = nil,
                featureNames: [String]? = nil, nthread: Int) throws {
        guard matrix.rowCount > 0 else { throw XGBoostError.emptyData("the matrix has no rows") }
        guard matrix.columnCount > 0 else { throw XGBoostError.emptyData("the matrix has no columns") }
        try Self.checkFinite(matrix.values)
        var created: DMatrixHandle?
        try matrix.values.withUnsafeBufferPointer { buffer in
            let data = ArrayInterface.json(buffer, shape: [matrix.rowCount, matrix.columnCount])
            try xgbCheck(XGDMatrixCreateFromDense(data, Self.creationConfig(nthread: nthread), &created),
                         "create a DMatrix from \(matrix.rowCount) x \(matrix.columnCount) dense values")
        }
        guard let created else {
            throw XGBoostError.malformedOutput(operation: "create a DMatrix", detail: "no handle returned")
        }
        handle = created
        rowCount = matrix.rowCount
        columnCount = matrix.columnCount
        try finishSetup(labels: labels, weights: weights, featureNames: featureNames)
    }

    /// A matrix from rows of equal length.
    public convenience init(rows: [[Float]], labels: [Float]? = nil, weights: [Float]? = nil,
                            featureNames: [String]? = nil, nthread: Int) throws {
        try self.init(DenseMatrix(rows: rows), labels: labels, weights: weights, featureNames: featureNames, nthread: nthread)
    }

    /// A matrix from compressed sparse rows (hashed n-grams and other wide, mostly empty inputs).
    public init(_ matrix: SparseMatrix, labels: [Float]? = nil, weights: [Float]? = nil,
                featureNames: [String]? = nil, nthread: Int) throws {
        guard matrix.rowCount > 0 else { throw XGBoostError.emptyData("the sparse matrix has no rows") }
        try Self.checkFinite(matrix.values)
        var created: DMatrixHandle?
        try matrix.rowOffsets.withUnsafeBufferPointer { offsets in
            try matrix.columnIndices.withUnsafeBufferPointer { columns in
                try matrix.values.withUnsafeBufferPointer { values in
                    try xgbCheck(XGDMatrixCreateFromCSR(ArrayInterface.json(offsets), ArrayInterface.json(columns),
                                                        ArrayInterface.json(values, shape: [values.count]),
                                                        bst_ulong(matrix.columnCount), Self.creationConfig(nthread: nthread), &created),
                                 "create a DMatrix from \(matrix.rowCount) sparse rows x \(matrix.columnCount) columns")
                }
            }
        }
        guard let created else {
            throw XGBoostError.malformedOutput(operation: "create a sparse DMatrix", detail: "no handle returned")
        }
        handle = created
        rowCount = matrix.rowCount
        columnCount = matrix.columnCount
        try finishSetup(labels: labels, weights: weights, featureNames: featureNames)
    }

    deinit { XGDMatrixFree(handle) }

    /// Sets one label per row: 0 (legit) or 1 (ioc) for the binary objective.
    public func setLabels(_ labels: [Float]) throws {
        guard labels.count == rowCount else {
            throw XGBoostError.shapeMismatch(what: "label count", expected: rowCount, actual: labels.count)
        }
        if let index = labels.firstIndex(where: { !$0.isFinite }) {
            throw XGBoostError.invalidValue(what: "label", detail: "label \(index) is \(labels[index]); labels must be finite")
        }
        try labels.withUnsafeBufferPointer { buffer in
            try xgbCheck(XGDMatrixSetFloatInfo(handle, "label", buffer.baseAddress, bst_ulong(buffer.count)), "set \(labels.count) labels")
        }
        hasLabels = true
    }

    /// Sets one non-negative weight per row (e.g. to balance classes without resampling).
    public func setWeights(_ weights: [Float]) throws {
        guard weights.count == rowCount else {
            throw XGBoostError.shapeMismatch(what: "weight count", expected: rowCount, actual: weights.count)
        }
        if let index = weights.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
            throw XGBoostError.invalidValue(what: "weight", detail: "weight \(index) is \(weights[index]); weights must be finite and >= 0")
        }
        try weights.withUnsafeBufferPointer { buffer in
            try xgbCheck(XGDMatrixSetFloatInfo(handle, "weight", buffer.baseAddress, bst_ulong(buffer.count)), "set \(weights.count) weights")
        }
    }

    /// Names the columns; XGBoost refuses names with `[`, `]` or `<` and duplicates.
    public func setFeatureNames(_ names: [String]) throws {
        guard names.count == columnCount else {
            throw XGBoostError.shapeMismatch(what: "feature name count", expected: columnCount, actual: names.count)
        }
        try withCStringArray(names) { pointers in
            try xgbCheck(XGDMatrixSetStrFeatureInfo(handle, "feature_name", pointers, bst_ulong(names.count)), "set \(names.count) feature names")
        }
        featureNames = names
    }

    /// The labels as XGBoost holds them (empty when none were set).
    public func labels() throws -> [Float] { try floatInfo("label") }

    /// The row weights as XGBoost holds them (empty when none were set: every row weighs 1).
    public func weights() throws -> [Float] { try floatInfo("weight") }

    private func floatInfo(_ field: String) throws -> [Float] {
        var length: bst_ulong = 0
        var pointer: UnsafePointer<Float>?
        try xgbCheck(XGDMatrixGetFloatInfo(handle, field, &length, &pointer), "read the \(field) field")
        guard let pointer, length > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: pointer, count: Int(length)))
    }

    private func finishSetup(labels: [Float]?, weights: [Float]?, featureNames: [String]?) throws {
        if let labels { try setLabels(labels) }
        if let weights { try setWeights(weights) }
        if let featureNames { try setFeatureNames(featureNames) }
    }

    static func creationConfig(nthread: Int) -> String {
        #"{"missing": NaN, "nthread": \#(nthread)}"#
    }

    /// XGBoost rejects infinities with a C++ check message; say which value it was instead.
    static func checkFinite(_ values: [Float]) throws {
        if let index = values.firstIndex(where: { $0.isInfinite }) {
            throw XGBoostError.invalidValue(what: "feature value", detail: "value \(index) is \(values[index]); use NaN for missing, not infinity")
        }
    }
}

/// Runs `body` with a C array of NUL-terminated copies of `strings`.
func withCStringArray<R>(_ strings: [String], _ body: (UnsafeMutablePointer<UnsafePointer<CChar>?>) throws -> R) rethrows -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    var pointers = copies.map { UnsafePointer<CChar>($0) }
    return try pointers.withUnsafeMutableBufferPointer { buffer in
        // A zero-length array still needs a valid base address for the C side.
        guard let base = buffer.baseAddress else {
            var empty: UnsafePointer<CChar>? = nil
            return try body(&empty)
        }
        return try body(base)
    }
}
