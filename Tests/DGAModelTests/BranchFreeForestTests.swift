@testable import DGAModel
import Foundation
import Hashing
import Testing
import TestSupport

/// The branch-free forest's compact walk (missing values replaced by ±∞ per column, one compare
/// a step) against the plain node-by-node walk of the compiled nodes, bit for bit: on the
/// trees the AutoML search trains over real labels, with missing and infinite values put into
/// the rows, and on hand-made trees whose splits disagree on where a missing value goes.
@Suite(.serialized) struct BranchFreeForestTests {
    /// The margins of `rows` (row-major, `width` wide) walked node by node, as XGBoost walks them.
    static func reference(_ nodes: [CompiledModel.Node], roots: [Int32], _ rows: [Float], width: Int) -> [Float] {
        stride(from: 0, to: rows.count, by: width).map { start in
            var sum: Float = 0
            for root in roots {
                var index = Int(root)
                while nodes[index].feature >= 0 {
                    let node = nodes[index]
                    index = Int(node.next(rows[start + node.column]))
                }
                sum += nodes[index].value
            }
            return sum
        }
    }

    /// Path attributions of `rows` walked node by node, one value per column (the bias left
    /// out): per tree, the split column gets the child's mean minus the node's.
    static func referenceAttributions(_ nodes: [CompiledModel.Node], roots: [Int32], means: [Float], _ rows: [Float], width: Int) -> [Float] {
        var phi = [Float](repeating: 0, count: rows.count)
        for start in stride(from: 0, to: rows.count, by: width) {
            for root in roots {
                var index = Int(root)
                while nodes[index].feature >= 0 {
                    let node = nodes[index]
                    let next = Int(node.next(rows[start + node.column]))
                    phi[start + node.column] += means[next] - means[index]
                    index = next
                }
            }
        }
        return phi
    }

    /// The forest's attributions of `rows`, written `padding` values apart (each row's
    /// padding holds a sentinel the walk must leave alone), returned without the padding.
    static func forestAttributions(_ forest: BranchFreeForest, _ rows: [Float], width: Int, padding: Int = 0) -> [Float] {
        let rowCount = rows.count / width, stride = width + padding
        let sentinel: Float = 7.25
        var phi = [Float](repeating: 0, count: rowCount * stride)
        for row in 0..<rowCount { for extra in 0..<padding { phi[row * stride + width + extra] = sentinel } }
        rows.withUnsafeBufferPointer { values in
            phi.withUnsafeMutableBufferPointer { out in
                guard let base = values.baseAddress, let target = out.baseAddress else { return }
                forest.addAttributions(dense: base, width: width, rowCount: rowCount, into: target, phiStride: stride)
            }
        }
        var columns: [Float] = []
        for row in 0..<rowCount {
            columns += phi[(row * stride)..<(row * stride + width)]
            if phi[(row * stride + width)..<((row + 1) * stride)].contains(where: { $0 != sentinel }) { columns.append(.nan) }
        }
        return columns
    }

    static func forestMargins(_ forest: BranchFreeForest, _ rows: [Float], width: Int) -> [Float] {
        var out = [Float](repeating: 0, count: rows.count / width)
        rows.withUnsafeBufferPointer { values in
            out.withUnsafeMutableBufferPointer { margins in
                guard let base = values.baseAddress, let target = margins.baseAddress else { return }
                forest.addMargins(dense: base, width: width, rowCount: margins.count, into: target)
            }
        }
        return out
    }

    @Test(arguments: [AutoMLAlgorithm.randomForest, .xgboost])
    func compactWalkEqualsTheNodeWalkOnTrainedTrees(_ algorithm: AutoMLAlgorithm) throws {
        let data = try CompiledModelTests.data.get()
        let directory = try TemporaryDirectory("forest-\(algorithm.rawValue)")
        try ModelDirectoryFixture.write(algorithm, data: data, to: directory.url)
        let bundle = try ModelBundle(directory: directory.url)
        let compiled = try #require(bundle.compiled)
        let forest = try #require(compiled.model.forest)
        #expect(forest.compact != nil, "XGBoost's trees on data without missing values send them all right")
        #expect(forest.keyed != nil, "the job's features are fewer than 64: the keyed walk takes them")

        let labels = try CompiledModelTests.realLabels(data)
        let matrix = data.featurizer.matrix(labels: labels, features: compiled.features)
        let width = matrix.columnCount
        var rows = matrix.values
        // Missing and infinite values in every column, on a fifth of the rows (several slices
        // of 256 rows, and a tail that is not a multiple of 8).
        var random = SplitMix64(seed: 7)
        for row in stride(from: 0, to: matrix.rowCount, by: 5) {
            let column = Int(random.next() % UInt64(width))
            rows[row * width + column] = [Float.nan, .infinity, -.infinity, -0.0, 0][Int(random.next() % 5)]
        }
        let count = 1003 * width
        let sample = Array(rows.prefix(count))
        let expected = Self.reference(compiled.model.nodes, roots: compiled.model.roots, sample, width: width)
        let actual = Self.forestMargins(forest, sample, width: width)
        #expect(actual.map(\.bitPattern) == expected.map(\.bitPattern))
        #expect(Set(expected).count > 100, "the rows reach many different leaves")
        // Path attributions: the same sums as the node walk (== also equates -0 and +0: a
        // leaf's steps add +0 to column 0).
        // (1,003 rows: three walk the tail; rows written three values apart, as the scorer
        // writes them one apart for the bias.)
        let attributions = Self.forestAttributions(forest, sample, width: width, padding: 3)
        #expect(attributions == Self.referenceAttributions(compiled.model.nodes, roots: compiled.model.roots,
                                                           means: compiled.model.means, sample, width: width))
        #expect(attributions.contains { $0 != 0 })
    }

    /// Order keys compare as the floats do, signed zeros and infinities included.
    @Test func orderKeysCompareAsTheFloats() {
        var values: [Float] = [0, -0.0, 1, -1, .infinity, -.infinity, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
                               .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 0.5, -0.5, 3.25e-9, -7e12]
        var random = SplitMix64(seed: 11)
        for _ in 0..<200 {
            let value = Float(bitPattern: UInt32(truncatingIfNeeded: random.next()))
            if !value.isNaN { values.append(value) }
        }
        for x in values {
            for t in values {
                #expect((BranchFreeForest.orderKey(x) >= BranchFreeForest.orderKey(t)) == (x >= t), "\(x) >= \(t)")
            }
        }
    }

    /// A split on a column past the keyed walk's 64 leaves it to the compact walk over whole
    /// rows, which gives the node walk's margins too.
    @Test func wideRowsTakeTheCompactWalk() {
        let width = 80
        let nodes: [CompiledModel.Node] = [
            .init(value: 0.25, feature: 70, left: 1, right: 2),
            .init(value: -0.5, feature: 3, left: 3, right: 4),
            .init(value: 7, feature: -1, left: -1, right: -1),
            .init(value: 1, feature: -1, left: -1, right: -1),
            .init(value: 2, feature: -1, left: -1, right: -1),
            .init(value: 0, feature: 79, left: 6, right: 7),
            .init(value: 10, feature: -1, left: -1, right: -1),
            .init(value: 20, feature: -1, left: -1, right: -1),
        ]
        let roots: [Int32] = [0, 5]
        let forest = BranchFreeForest(source: nodes, roots: roots, means: [Float](repeating: 0, count: nodes.count))
        #expect(forest.compact != nil && forest.keyed == nil)
        var random = SplitMix64(seed: 3)
        let rows = (0..<(37 * width)).map { _ in Float(Int(random.next() % 9)) / 4 - 1 }
        let expected = Self.reference(nodes, roots: roots, rows, width: width)
        #expect(Self.forestMargins(forest, rows, width: width).map(\.bitPattern) == expected.map(\.bitPattern))
        #expect(Set(expected).count == 6)
    }

    /// Two trees over two columns: column 0's splits send a missing value right in one tree and
    /// left in the other when `mixed`, else left in both; column 1 always right.
    static func handMadeForest(mixed: Bool) -> ([CompiledModel.Node], [Int32]) {
        let left = CompiledModel.Node.defaultLeftFlag
        let nodes: [CompiledModel.Node] = [
            // Tree 1: x0 < 0.5 ? (x1 < 2 ? 1 : 2) : 3
            .init(value: 0.5, feature: 0 | left, left: 1, right: 2),
            .init(value: 2, feature: 1, left: 3, right: 4),
            .init(value: 3, feature: -1, left: -1, right: -1),
            .init(value: 1, feature: -1, left: -1, right: -1),
            .init(value: 2, feature: -1, left: -1, right: -1),
            // Tree 2: x0 < -1 ? 10 : 20
            .init(value: -1, feature: mixed ? 0 : 0 | left, left: 6, right: 7),
            .init(value: 10, feature: -1, left: -1, right: -1),
            .init(value: 20, feature: -1, left: -1, right: -1),
        ]
        return (nodes, [0, 5])
    }

    @Test(arguments: [false, true])
    func missingValuesGoWhereEachSplitSendsThem(mixed: Bool) {
        let (nodes, roots) = Self.handMadeForest(mixed: mixed)
        let means: [Float] = [1.75, 1.25, 3, 1, 2, 15, 10, 20]
        let forest = BranchFreeForest(source: nodes, roots: roots, means: means)
        #expect((forest.compact == nil) == mixed)
        if !mixed { #expect(forest.substitutes[0] == -.infinity && forest.substitutes[1] == .infinity) }
        let values: [Float] = [.nan, -2, 0, 0.5, 1, 2, 3, .infinity, -.infinity]
        var rows: [Float] = []
        for a in values { for b in values { rows += [a, b] } }
        let expected = Self.reference(nodes, roots: roots, rows, width: 2)
        #expect(Self.forestMargins(forest, rows, width: 2).map(\.bitPattern) == expected.map(\.bitPattern))
        // A missing x0 goes left in tree 1 (then x1 = -2 < 2: 1) and, unless mixed, in tree 2.
        #expect(expected[1] == (mixed ? 21 : 11))
        let attributions = Self.forestAttributions(forest, rows, width: 2)
        #expect(attributions == Self.referenceAttributions(nodes, roots: roots, means: means, rows, width: 2))
        // That row: x0 gets (1.25 - 1.75) in tree 1 and (10 - 15) or, mixed, (20 - 15) in tree 2;
        // x1 gets 1 - 1.25.
        #expect(attributions[2] == (mixed ? -0.5 + 5 : -0.5 - 5) && attributions[3] == -0.25)
    }
}
