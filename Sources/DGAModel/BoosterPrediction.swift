import CXGBoost

/// What a prediction returns per row.
public enum PredictionOutput: Int, Sendable {
    /// The objective's transformed output: for `binary:logistic`, the probability of ioc.
    case probability = 0
    /// The raw score before the logistic link (log-odds).
    case margin = 1
}

extension Booster {
    /// Predicts through a DMatrix (labels, if any, are ignored).
    public func predict(_ matrix: DMatrix, output: PredictionOutput = .probability) throws -> [Float] {
        let (shape, values) = try predictFromDMatrix(matrix, type: output.rawValue, what: "predict \(matrix.rowCount) rows")
        try Self.expectRows(shape, matrix.rowCount, "predict")
        return values
    }

    /// Predicts in place from dense row-major values, without building a DMatrix (the fast path
    /// for scoring: XGBoost reads the array where it is). Linear models, which XGBoost 1.7
    /// cannot predict in place, go through a DMatrix.
    ///
    /// - Parameter missing: the value that marks a missing feature (NaN by default).
    public func predict(dense values: UnsafeBufferPointer<Float>, rowCount: Int, columnCount: Int,
                        output: PredictionOutput = .probability, missing: Float = .nan) throws -> [Float] {
        guard rowCount > 0 else { throw XGBoostError.emptyData("nothing to predict: 0 rows") }
        let (size, overflow) = rowCount.multipliedReportingOverflow(by: columnCount)
        guard !overflow, columnCount >= 0, values.count == size else {
            throw XGBoostError.shapeMismatch(what: "values for \(rowCount) x \(columnCount) rows", expected: overflow ? Int.max : size, actual: values.count)
        }
        try checkColumns(columnCount)
        if let index = values.firstIndex(where: { $0.isInfinite }) {
            throw XGBoostError.invalidValue(what: "feature value", detail: "value \(index) is \(values[index]); use NaN for missing, not infinity")
        }
        if isLinear {
            let matrix = DenseMatrix(unchecked: rowCount, columnCount, Array(values))
            return try predict(DMatrix(matrix, nthread: threadCount), output: output)
        }
        let array = ArrayInterface.json(values, shape: [rowCount, columnCount])
        var shape: UnsafePointer<bst_ulong>?
        var dimensions: bst_ulong = 0
        var result: UnsafePointer<Float>?
        try xgbCheck(XGBoosterPredictFromDense(handle, array, Self.inplaceConfig(output.rawValue, missing: missing), nil,
                                               &shape, &dimensions, &result),
                     "predict \(rowCount) dense rows in place")
        return try Self.copyResult(shape, dimensions, result, expectedRows: rowCount, operation: "predict in place")
    }

    /// Predicts in place from a dense matrix.
    public func predict(_ matrix: DenseMatrix, output: PredictionOutput = .probability) throws -> [Float] {
        try matrix.values.withUnsafeBufferPointer { buffer in
            try predict(dense: buffer, rowCount: matrix.rowCount, columnCount: matrix.columnCount, output: output)
        }
    }

    /// Predicts in place from compressed sparse rows (hashed n-gram input); through a DMatrix
    /// for linear models.
    public func predict(_ matrix: SparseMatrix, output: PredictionOutput = .probability) throws -> [Float] {
        guard matrix.rowCount > 0 else { throw XGBoostError.emptyData("nothing to predict: 0 rows") }
        try checkColumns(matrix.columnCount)
        if isLinear { return try predict(DMatrix(matrix, nthread: threadCount), output: output) }
        var shape: UnsafePointer<bst_ulong>?
        var dimensions: bst_ulong = 0
        var result: UnsafePointer<Float>?
        try matrix.rowOffsets.withUnsafeBufferPointer { offsets in
            try matrix.columnIndices.withUnsafeBufferPointer { columns in
                try matrix.values.withUnsafeBufferPointer { values in
                    try xgbCheck(XGBoosterPredictFromCSR(handle, ArrayInterface.json(offsets), ArrayInterface.json(columns),
                                                         ArrayInterface.json(values, shape: [values.count]), bst_ulong(matrix.columnCount),
                                                         Self.inplaceConfig(output.rawValue, missing: .nan), nil,
                                                         &shape, &dimensions, &result),
                                 "predict \(matrix.rowCount) sparse rows in place")
                }
            }
        }
        return try Self.copyResult(shape, dimensions, result, expectedRows: matrix.rowCount, operation: "predict sparse rows in place")
    }

    /// SHAP values: per row, one contribution per feature and the bias last; a row sums to the
    /// margin (log-odds) that `predict(_:output: .margin)` gives.
    public func contributions(_ matrix: DMatrix) throws -> DenseMatrix {
        let (shape, values) = try predictFromDMatrix(matrix, type: 2, what: "compute SHAP contributions for \(matrix.rowCount) rows")
        guard shape.count == 2, shape[0] == matrix.rowCount, shape[1] == matrix.columnCount + 1 else {
            throw XGBoostError.malformedOutput(operation: "compute contributions", detail: "shape \(shape) for \(matrix.rowCount) x \(matrix.columnCount) input")
        }
        return DenseMatrix(unchecked: shape[0], shape[1], values)
    }

    /// Saabas's path attributions (`approx_contribs`): per row, one value per feature and the
    /// bias last, laid out as `contributions(_:)`; they too sum to the margin.
    public func approximateContributions(_ matrix: DMatrix) throws -> DenseMatrix {
        let (shape, values) = try predictFromDMatrix(matrix, type: 3, what: "compute approximate contributions for \(matrix.rowCount) rows")
        guard shape.count == 2, shape[0] == matrix.rowCount, shape[1] == matrix.columnCount + 1 else {
            throw XGBoostError.malformedOutput(operation: "compute approximate contributions", detail: "shape \(shape) for \(matrix.rowCount) x \(matrix.columnCount) input")
        }
        return DenseMatrix(unchecked: shape[0], shape[1], values)
    }

    private func predictFromDMatrix(_ matrix: DMatrix, type: Int, what: @autoclosure () -> String) throws -> ([Int], [Float]) {
        try checkColumns(matrix.columnCount)
        let config = #"{"type": \#(type), "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false}"#
        var shape: UnsafePointer<bst_ulong>?
        var dimensions: bst_ulong = 0
        var result: UnsafePointer<Float>?
        try xgbCheck(XGBoosterPredictFromDMatrix(handle, matrix.handle, config, &shape, &dimensions, &result), what())
        guard let shape, let result else {
            throw XGBoostError.malformedOutput(operation: what(), detail: "no result returned")
        }
        let dims = (0..<Int(dimensions)).map { Int(shape[$0]) }
        let total = dims.reduce(1, *)
        // XGBoost owns the buffer and reuses it on the next call: copy now.
        return (dims, Array(UnsafeBufferPointer(start: result, count: total)))
    }

    /// Checked here so that the error names both widths and the model, rather than a C++ check.
    private func checkColumns(_ columns: Int) throws {
        let expected = try featureCount()
        guard expected == columns else {
            throw XGBoostError.shapeMismatch(what: "input columns for this model", expected: expected, actual: columns)
        }
    }

    /// In-place prediction needs `cache_id` (only 0 is supported) and takes `missing`.
    static func inplaceConfig(_ type: Int, missing: Float) -> String {
        let missingText = missing.isNaN ? "NaN" : "\(missing)"
        return #"{"type": \#(type), "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false, "missing": \#(missingText), "cache_id": 0}"#
    }

    private static func copyResult(_ shape: UnsafePointer<bst_ulong>?, _ dimensions: bst_ulong, _ result: UnsafePointer<Float>?,
                                   expectedRows: Int, operation: String) throws -> [Float] {
        guard let shape, let result, dimensions >= 1 else {
            throw XGBoostError.malformedOutput(operation: operation, detail: "no result returned")
        }
        let dims = (0..<Int(dimensions)).map { Int(shape[$0]) }
        try expectRows(dims, expectedRows, operation)
        return Array(UnsafeBufferPointer(start: result, count: dims.reduce(1, *)))
    }

    private static func expectRows(_ shape: [Int], _ rows: Int, _ operation: String) throws {
        guard let first = shape.first, first == rows, shape.dropFirst().allSatisfy({ $0 == 1 }) else {
            throw XGBoostError.malformedOutput(operation: operation, detail: "shape \(shape) for \(rows) rows")
        }
    }
}
