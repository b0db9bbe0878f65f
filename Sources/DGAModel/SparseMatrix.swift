/// A compressed-sparse-row matrix of 32-bit floats, for wide inputs such as hashed character
/// n-grams where a row has a few dozen non-zero entries out of 2^18 columns.
public struct SparseMatrix: Sendable, Equatable {
    /// Number of columns (the width of the feature space, not the widest row).
    public let columnCount: Int
    /// `rowCount + 1` offsets into `columnIndices` and `values`; row `r` is
    /// `rowOffsets[r]..<rowOffsets[r + 1]`.
    public let rowOffsets: [Int]
    /// The column of each stored value.
    public let columnIndices: [UInt32]
    /// The stored values; a column not stored in a row is missing to XGBoost (a tree sends it down
    /// its default branch; a linear model treats it as zero).
    public let values: [Float]

    /// Number of rows.
    public var rowCount: Int { rowOffsets.count - 1 }

    /// A matrix from CSR arrays, checked for consistency.
    public init(columnCount: Int, rowOffsets: [Int], columnIndices: [UInt32], values: [Float]) throws {
        guard columnCount > 0, columnCount <= Int(UInt32.max) else {
            throw XGBoostError.invalidValue(what: "sparse column count", detail: "\(columnCount)")
        }
        guard let first = rowOffsets.first, first == 0 else {
            throw XGBoostError.invalidValue(what: "sparse row offsets", detail: "must start with 0")
        }
        guard columnIndices.count == values.count else {
            throw XGBoostError.shapeMismatch(what: "sparse values vs column indices", expected: columnIndices.count, actual: values.count)
        }
        guard rowOffsets.last == values.count else {
            throw XGBoostError.shapeMismatch(what: "last sparse row offset", expected: values.count, actual: rowOffsets.last ?? 0)
        }
        for index in 1..<rowOffsets.count where rowOffsets[index] < rowOffsets[index - 1] {
            throw XGBoostError.invalidValue(what: "sparse row offsets", detail: "offset \(index) goes backwards")
        }
        if let bad = columnIndices.first(where: { Int($0) >= columnCount }) {
            throw XGBoostError.invalidValue(what: "sparse column index", detail: "\(bad) is not below the column count \(columnCount)")
        }
        self.init(unchecked: columnCount, rowOffsets, columnIndices, values)
    }

    init(unchecked columnCount: Int, _ rowOffsets: [Int], _ columnIndices: [UInt32], _ values: [Float]) {
        self.columnCount = columnCount
        self.rowOffsets = rowOffsets
        self.columnIndices = columnIndices
        self.values = values
    }

    /// The rows at the given indices, in that order (for splits).
    public func selecting(rows indices: [Int]) -> SparseMatrix {
        var offsets = [0]
        offsets.reserveCapacity(indices.count + 1)
        var columns: [UInt32] = []
        var stored: [Float] = []
        for index in indices {
            let range = rowOffsets[index]..<rowOffsets[index + 1]
            columns.append(contentsOf: columnIndices[range])
            stored.append(contentsOf: values[range])
            offsets.append(stored.count)
        }
        return SparseMatrix(unchecked: columnCount, offsets, columns, stored)
    }
}
