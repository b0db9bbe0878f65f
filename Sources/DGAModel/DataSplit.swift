import Hashing

/// Why a split could not be made.
public enum DataSplitError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Fractions negative, not summing to 1, or with no training share.
    case invalidFractions(train: Double, validation: Double, test: Double)
    /// No rows to split.
    case empty

    public var description: String {
        switch self {
        case let .invalidFractions(train, validation, test):
            return "split fractions \(train)/\(validation)/\(test) must be >= 0, sum to 1, and give training a share"
        case .empty: return "no rows to split"
        }
    }
}

/// Row indices of a train / validation / test split.
///
/// Stratified: each class is shuffled on its own (seeded SplitMix64) and cut by the fractions,
/// so every part keeps the class balance of the whole, and the same labels and seed give the
/// same split on every machine. Indices within each part are ascending.
public struct DataSplit: Sendable, Equatable, Codable {
    /// Rows to train on.
    public let train: [Int]
    /// Rows for early stopping and threshold choice.
    public let validation: [Int]
    /// Rows for the final figures.
    public let test: [Int]

    /// A stratified split of rows by their `labels`.
    ///
    /// Per class of `n` rows, `round(n × test)` go to test, `round(n × validation)` to
    /// validation and the rest to training.
    public static func stratified<Label: Hashable & Comparable>(labels: [Label], train: Double, validation: Double = 0,
                                                                 test: Double, seed: UInt64) throws -> DataSplit {
        guard train > 0, validation >= 0, test >= 0, abs(train + validation + test - 1) < 1e-9 else {
            throw DataSplitError.invalidFractions(train: train, validation: validation, test: test)
        }
        guard !labels.isEmpty else { throw DataSplitError.empty }
        var byClass: [Label: [Int]] = [:]
        for (index, label) in labels.enumerated() { byClass[label, default: []].append(index) }
        var generator = SplitMix64(seed: seed)
        var parts: ([Int], [Int], [Int]) = ([], [], [])
        // Classes in sorted order, so that the random stream is consumed the same way each time.
        for label in byClass.keys.sorted() {
            var rows = byClass[label] ?? []
            // Fisher-Yates with our own generator: `shuffle(using:)` may change between releases.
            if rows.count > 1 {
                for position in stride(from: rows.count - 1, to: 0, by: -1) {
                    let other = Int(generator.next() % UInt64(position + 1))
                    rows.swapAt(position, other)
                }
            }
            let testCount = Int((Double(rows.count) * test).rounded())
            let validationCount = min(rows.count - testCount, Int((Double(rows.count) * validation).rounded()))
            parts.2 += rows[0..<testCount]
            parts.1 += rows[testCount..<(testCount + validationCount)]
            parts.0 += rows[(testCount + validationCount)...]
        }
        return DataSplit(train: parts.0.sorted(), validation: parts.1.sorted(), test: parts.2.sorted())
    }

    /// A split of rows labelled ioc (`true`) or legit.
    public static func stratified(labels: [Bool], train: Double, validation: Double = 0, test: Double, seed: UInt64) throws -> DataSplit {
        try stratified(labels: labels.map { $0 ? 1 : 0 }, train: train, validation: validation, test: test, seed: seed)
    }
}
