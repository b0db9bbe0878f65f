import DGAModel
import Hashing

/// A small seeded problem for the wrapper tests: label 1 when `x0 + 0.5·x1` (plus a little
/// noise) exceeds 0.75; x2 and x3 are noise.
struct SyntheticData {
    let matrix: DenseMatrix
    let labels: [Float]

    static let featureNames = ["signal", "weak_signal", "noise_a", "noise_b"]

    init(rows: Int, seed: UInt64, noise: Double = 0.1) throws {
        var generator = SplitMix64(seed: seed)
        var values: [Float] = []
        var labels: [Float] = []
        for _ in 0..<rows {
            let x = (0..<4).map { _ in Double.random(in: 0..<1, using: &generator) }
            let jitter = Double.random(in: -noise...noise, using: &generator)
            values += x.map(Float.init)
            labels.append(x[0] + 0.5 * x[1] + jitter > 0.75 ? 1 : 0)
        }
        matrix = try DenseMatrix(rowCount: rows, columnCount: 4, values: values)
        self.labels = labels
    }

    func dmatrix(nthread: Int = 1) throws -> DMatrix {
        try DMatrix(matrix, labels: labels, featureNames: Self.featureNames, nthread: nthread)
    }

    var truth: [Bool] { labels.map { $0 == 1 } }
}
