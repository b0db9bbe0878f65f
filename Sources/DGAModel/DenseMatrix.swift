/// A row-major matrix of 32-bit floats: the layout XGBoost reads without copying.
///
/// `Float.nan` marks a missing value (XGBoost's default), so a feature that cannot be computed
/// for a row can be left out without inventing a number.
public struct DenseMatrix: Sendable, Equatable {
    /// Number of rows.
    public let rowCount: Int
    /// Number of columns.
    public let columnCount: Int
    /// `rowCount * columnCount` values, row after row.
    public private(set) var values: [Float]

    /// A matrix over existing row-major values.
    public init(rowCount: Int, columnCount: Int, values: [Float]) throws {
        guard rowCount >= 0, columnCount >= 0 else {
            throw XGBoostError.invalidValue(what: "matrix shape", detail: "\(rowCount) x \(columnCount)")
        }
        let (size, overflow) = rowCount.multipliedReportingOverflow(by: columnCount)
        guard !overflow else { throw XGBoostError.invalidValue(what: "matrix shape", detail: "\(rowCount) x \(columnCount) is too large") }
        guard values.count == size else {
            throw XGBoostError.shapeMismatch(what: "values for a \(rowCount) x \(columnCount) matrix", expected: size, actual: values.count)
        }
        self.rowCount = rowCount
        self.columnCount = columnCount
        self.values = values
    }

    /// A matrix filled with one value.
    public init(rowCount: Int, columnCount: Int, repeating value: Float = 0) {
        self.rowCount = max(0, rowCount)
        self.columnCount = max(0, columnCount)
        values = [Float](repeating: value, count: self.rowCount * self.columnCount)
    }

    /// A matrix from rows; every row must have the same length.
    public init(rows: [[Float]]) throws {
        let columns = rows.first?.count ?? 0
        var values: [Float] = []
        values.reserveCapacity(rows.count * columns)
        for (index, row) in rows.enumerated() {
            guard row.count == columns else {
                throw XGBoostError.shapeMismatch(what: "length of row \(index)", expected: columns, actual: row.count)
            }
            values.append(contentsOf: row)
        }
        self.rowCount = rows.count
        self.columnCount = columns
        self.values = values
    }

    /// The value at a row and column.
    public subscript(row: Int, column: Int) -> Float {
        get { values[row * columnCount + column] }
        set { values[row * columnCount + column] = newValue }
    }

    /// One row as an array.
    public func row(_ index: Int) -> [Float] {
        Array(values[(index * columnCount)..<((index + 1) * columnCount)])
    }

    /// The rows at the given indices, in that order (for splits).
    public func selecting(rows indices: [Int]) -> DenseMatrix {
        var out: [Float] = []
        out.reserveCapacity(indices.count * columnCount)
        for index in indices {
            out.append(contentsOf: values[(index * columnCount)..<((index + 1) * columnCount)])
        }
        return DenseMatrix(unchecked: indices.count, columnCount, out)
    }

    /// The given columns, in that order (for feature subsets).
    public func selecting(columns: [Int]) -> DenseMatrix {
        var out: [Float] = []
        out.reserveCapacity(rowCount * columns.count)
        for row in 0..<rowCount {
            let base = row * columnCount
            for column in columns { out.append(values[base + column]) }
        }
        return DenseMatrix(unchecked: rowCount, columns.count, out)
    }

    init(unchecked rowCount: Int, _ columnCount: Int, _ values: [Float]) {
        self.rowCount = rowCount
        self.columnCount = columnCount
        self.values = values
    }
}
