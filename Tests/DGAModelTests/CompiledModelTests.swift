import DGAModel
import Foundation
import TestSupport
import Testing

/// The compiled predictor against the XGBoost library, for each model family the AutoML search
/// trains, on real labels (alexa and DGA lists) the models never saw in training.
@Suite(.serialized) struct CompiledModelTests {
    /// Featurized once for the suite (fitting the featurizer is most of a debug build's time).
    static let data: Result<AutoMLDataset, any Error> = Result { try AutoMLFixture.dataset() }

    /// Labels beyond the fixture's training rows: alexa ranks after the first 3,000 labels and
    /// the DGA domains after the first 600, plus the training rows themselves.
    static func realLabels(_ data: AutoMLDataset) throws -> [String] {
        let alexa = try String(contentsOf: TestPaths.sharedData.appendingPathComponent("alexa_100k.txt"), encoding: .utf8)
        let dga = try String(contentsOf: TestPaths.sharedData.appendingPathComponent("dga_domains_header.txt"), encoding: .utf8)
        var labels = data.labels
        for line in alexa.split(whereSeparator: \.isNewline).dropFirst().dropFirst(3000).prefix(6000) {
            guard let comma = line.firstIndex(of: ",") else { continue }
            labels.append(AutoMLFixture.label(String(line[line.index(after: comma)...])))
        }
        let dgaLines: [Substring] = dga.split(whereSeparator: \.isNewline)
        for line in dgaLines.dropFirst(601) { labels.append(AutoMLFixture.label(String(line))) }
        // Odd inputs: empty, non-ASCII, digits only, hyphens, very long.
        labels += ["", "bücher", "1234567890", "--a--", String(repeating: "qz", count: 40), "xn--80ak6aa92e"]
        return labels
    }

    @Test(arguments: AutoMLAlgorithm.allCases)
    func compiledScoresEqualTheLibrary(_ algorithm: AutoMLAlgorithm) throws {
        let data = try Self.data.get()
        let directory = try TemporaryDirectory("compiled-\(algorithm.rawValue)")
        try ModelDirectoryFixture.write(algorithm, data: data, to: directory.url)
        let bundle = try ModelBundle(directory: directory.url)
        let compiled = try #require(bundle.compiled, "\(bundle.compiledFallbackReason ?? "")")
        #expect(compiled.model.isLinear == (algorithm == .linear))
        if algorithm != .linear { #expect(compiled.model.treeCount >= 4) }

        let labels = try Self.realLabels(data)
        #expect(labels.count > 9000)
        let library = try bundle.libraryProbabilities(labels: labels)
        let fast = try bundle.probabilities(labels: labels)
        let oneCore = compiled.probabilities(labels: labels, threads: 1).map(Double.init)
        #expect(fast == oneCore)
        var worst = 0.0
        var classDifferences = 0
        for (a, b) in zip(library, fast) {
            worst = max(worst, abs(a - b))
            if (a >= bundle.manifest.threshold) != (b >= bundle.manifest.threshold) { classDifferences += 1 }
        }
        #expect(worst <= 1e-6, "largest probability difference \(worst)")
        #expect(classDifferences == 0)
        // Both classes occur, so the comparison covers both sides of the threshold.
        #expect(fast.contains { $0 >= bundle.manifest.threshold } && fast.contains { $0 < bundle.manifest.threshold })

        // SHAP: the same three features, the same contributions (float summation order aside).
        // (803 rows: the batch walks of four leave a tail of three.)
        let sample = Array(labels.prefix(403)) + Array(labels.suffix(400))
        let libraryScores = try bundle.libraryScores(labels: sample)
        let fastScores = try bundle.score(labels: sample)
        var mismatches: [String] = []
        for (index, (a, b)) in zip(libraryScores, fastScores).enumerated() {
            #expect(a.predictedClass == b.predictedClass)
            #expect(abs(a.probability - b.probability) <= 1e-6)
            let sameValues = a.topFeatures.count == b.topFeatures.count
                && zip(a.topFeatures, b.topFeatures).allSatisfy { abs($0.contribution - $1.contribution) <= 1e-4 }
            if !sameValues { mismatches.append("\(sample[index]): \(a.topFeatures) vs \(b.topFeatures)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(3))")

        // Approximate contributions: the same scores; per row they sum to the margin.
        let approximate = try bundle.scoreApproximatingContributions(labels: sample)
        #expect(approximate.map(\.probability) == fastScores.map(\.probability))
        #expect(approximate.allSatisfy { !$0.topFeatures.isEmpty })
        if algorithm != .linear {
            let matrix = data.featurizer.matrix(labels: sample, features: compiled.features)
            let width = compiled.model.featureCount
            var phi = [Float](repeating: 0, count: width + 1)
            var margin: Float = 0
            for row in 0..<matrix.rowCount {
                let values = matrix.row(row)
                values.withUnsafeBufferPointer { x in
                    guard let base = x.baseAddress else { return }
                    compiled.model.margins(dense: base, rowCount: 1, into: &margin)
                    phi.withUnsafeMutableBufferPointer { out in
                        if let target = out.baseAddress { compiled.model.approximateContributions(dense: base, into: target) }
                    }
                }
                #expect(abs(phi.reduce(0, +) - margin) <= 1e-3 * max(1, abs(margin)), "row \(row)")
                // The scorer's top three come from these values: largest magnitude first, ties
                // to the lower column, zeros left out.
                let top = phi.prefix(width).enumerated().filter { $0.element != 0 }
                    .sorted { abs($0.element) != abs($1.element) ? abs($0.element) > abs($1.element) : $0.offset < $1.offset }.prefix(3)
                #expect(approximate[row].topFeatures.map(\.feature) == top.map { compiled.features[$0.offset].rawValue }, "row \(row)")
                #expect(approximate[row].topFeatures.map(\.contribution) == top.map { Double($0.element) }, "row \(row)")
            }
            // The batch walk gives row by row the same values as the one-row walk, and both
            // XGBoost's own approx_contribs (float summation order aside).
            let stride = width + 1
            var batch = [Float](repeating: .nan, count: matrix.rowCount * stride)
            matrix.values.withUnsafeBufferPointer { x in
                batch.withUnsafeMutableBufferPointer { out in
                    guard let base = x.baseAddress, let target = out.baseAddress else { return }
                    compiled.model.approximateContributions(dense: base, rowCount: matrix.rowCount, into: target)
                }
            }
            let booster = try Booster(contentsOf: directory.file(ModelManifest.modelFileName), nthread: 1)
            let library = try booster.approximateContributions(DMatrix(matrix, featureNames: bundle.manifest.features, nthread: 1))
            var differing = 0
            var worst: Float = 0
            for row in 0..<matrix.rowCount {
                let values = matrix.row(row)
                values.withUnsafeBufferPointer { x in
                    phi.withUnsafeMutableBufferPointer { out in
                        guard let base = x.baseAddress, let target = out.baseAddress else { return }
                        compiled.model.approximateContributions(dense: base, into: target)
                    }
                }
                if Array(batch[(row * stride)..<((row + 1) * stride)]) != phi { differing += 1 }
                for (ours, theirs) in zip(phi, library.row(row)) { worst = max(worst, abs(ours - theirs)) }
            }
            #expect(differing == 0, "\(differing) of \(matrix.rowCount) rows differ between the batch and the one-row walk")
            #expect(worst <= 1e-4, "largest difference from XGBoost's approx_contribs: \(worst)")
        }
    }

    @Test func modelsTheCompilerDoesNotCoverFallBackToTheLibrary() throws {
        let data = try Self.data.get()
        let directory = try TemporaryDirectory("compiled-fallback")
        try ModelDirectoryFixture.write(.xgboost, data: data, to: directory.url)
        // The same trees under a raw-margin objective: valid for XGBoost, not compiled.
        let modelURL = directory.file(ModelManifest.modelFileName)
        let json = try String(contentsOf: modelURL, encoding: .utf8)
        #expect(json.contains("\"binary:logistic\""))
        try json.replacingOccurrences(of: "\"binary:logistic\"", with: "\"binary:logitraw\"").write(to: modelURL, atomically: true, encoding: .utf8)
        let bundle = try ModelBundle(directory: directory.url)
        #expect(bundle.compiled == nil)
        #expect(bundle.compiledFallbackReason?.contains("binary:logitraw") == true)
        let scores = try bundle.score(labels: ["google", "xjkqwhzpqrtvb"])
        #expect(scores.count == 2)
        #expect(try bundle.probabilities(labels: ["google"]) == bundle.libraryProbabilities(labels: ["google"]))
    }

    /// Path attributions of hand-made trees with a base score other than 0.5 (the job's models
    /// all have 0.5, whose margin is 0): the batch equals the one-row walk, the bias column is
    /// the trees' root means plus the base margin, and a row sums to its margin. With a leaf
    /// too large for a float (an infinite mean), the batch falls back to the one-row walk.
    /// A binary:logistic model over two columns, written as XGBoost 1.7 writes it, of a first
    /// tree whose root's right child splits again (leaves at depths 1, 2 and 2) and `secondTree`.
    static func handMadeModel(baseScore: String, secondTree: String) throws -> CompiledModel {
        let json = #"""
        {"learner": {"learner_model_param": {"num_feature": "2", "num_class": "0", "base_score": "BASE"},
          "objective": {"name": "binary:logistic"},
          "gradient_booster": {"name": "gbtree", "model": {"tree_info": [0, 0], "trees": [
            {"left_children": [1, -1, 3, -1, -1], "right_children": [2, -1, 4, -1, -1], "split_indices": [0, 0, 1, 0, 0],
             "split_conditions": [0.5, -0.2, 1.5, 0.1, 0.3], "default_left": [1, 0, 0, 0, 0], "sum_hessian": [10, 4, 6, 3, 3]},
            SECOND
          ]}}}}
        """#.replacingOccurrences(of: "BASE", with: baseScore).replacingOccurrences(of: "SECOND", with: secondTree)
        return try CompiledModel(jsonData: Data(json.utf8))
    }

    @Test(arguments: ["0.3", "1e39"])
    func pathAttributionsOfHandMadeTrees(secondTreeLeaf: String) throws {
        let model = try Self.handMadeModel(baseScore: "3E-1", secondTree: """
            {"left_children": [1, -1, 3, -1, -1], "right_children": [2, -1, 4, -1, -1], "split_indices": [1, 0, 0, 0, 0],
             "split_conditions": [0.0, \(secondTreeLeaf), 0.6, 0.25, -0.1], "default_left": [0, 0, 0, 0, 0], "sum_hessian": [8, 3, 5, 2, 3]}
            """)
        let rows: [Float] = [0.2, 1.0, 0.9, 2.0, .nan, -1.0, 0.7, .nan, 0.5, 1.5, -3, 0]
        let count = rows.count / 2
        var batch = [Float](repeating: .nan, count: count * 3)
        var margins = [Float](repeating: 0, count: count)
        rows.withUnsafeBufferPointer { x in
            guard let base = x.baseAddress else { return }
            batch.withUnsafeMutableBufferPointer { out in
                if let target = out.baseAddress { model.approximateContributions(dense: base, rowCount: count, into: target) }
            }
            margins.withUnsafeMutableBufferPointer { out in
                if let target = out.baseAddress { model.margins(dense: base, rowCount: count, into: target) }
            }
        }
        // Tree 1's root mean: (-0.2 × 4 + (0.1 × 3 + 0.3 × 3)) / 10 = 0.04; tree 2's:
        // (leaf × 3 + 0.25 × 2 - 0.1 × 3) / 8, its leaf at depth 1 of 2, so that a row there
        // takes one more step (mean − mean: NaN for an infinite mean, without the fallback).
        let leaf = Float(secondTreeLeaf) ?? .nan
        let bias = 0.04 + (leaf * 3 + 0.2) / 8 + logf(0.3 / 0.7)
        for row in 0..<count {
            var one = [Float](repeating: 0, count: 3)
            rows.withUnsafeBufferPointer { x in
                one.withUnsafeMutableBufferPointer { out in
                    if let base = x.baseAddress, let target = out.baseAddress { model.approximateContributions(dense: base + 2 * row, into: target) }
                }
            }
            let fromBatch = Array(batch[(3 * row)..<(3 * row + 3)])
            #expect(fromBatch.map(\.bitPattern) == one.map(\.bitPattern), "row \(row): \(fromBatch) against \(one)")
            if leaf.isFinite {
                #expect(abs(fromBatch[2] - bias) <= 1e-6, "row \(row): bias \(fromBatch[2]), expected \(bias)")
                #expect(abs(fromBatch.reduce(0, +) - margins[row]) <= 1e-5, "row \(row)")
            }
        }
    }

    /// Two trees written out by hand: the first of `handMadeModel` (leaves at depths 1, 2 and
    /// 2) and a single leaf (depth 0). A prediction makes 5/3 tests in the first and none in
    /// the second.
    @Test func splitTestsPerPredictionAverageEachTreesLeafDepths() throws {
        let model = try Self.handMadeModel(baseScore: "5E-1", secondTree: """
            {"left_children": [-1], "right_children": [-1], "split_indices": [0], "split_conditions": [0.25], "default_left": [0], "sum_hessian": [10]}
            """)
        #expect(model.treeCount == 2)
        #expect(abs(model.splitTestsPerPrediction - 5.0 / 3.0) < 1e-12)
        // A trained model: the same figure walked from the JSON's child arrays directly.
        let data = try Self.data.get()
        let directory = try TemporaryDirectory("compiled-split-tests")
        try ModelDirectoryFixture.write(.xgboost, data: data, to: directory.url)
        let file = directory.file(ModelManifest.modelFileName)
        let trained = try CompiledModel(contentsOf: file)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        let trees = try #require(((object["learner"] as? [String: Any])?["gradient_booster"] as? [String: Any])
            .flatMap { ($0["model"] as? [String: Any])?["trees"] as? [[String: Any]] })
        var expected = 0.0
        for tree in trees {
            let left = try #require(tree["left_children"] as? [Int]), right = try #require(tree["right_children"] as? [Int])
            var depths: [Int] = []
            var pending = [(0, 0)]
            while let (node, depth) = pending.popLast() {
                if left[node] < 0 { depths.append(depth) } else { pending += [(left[node], depth + 1), (right[node], depth + 1)] }
            }
            expected += Double(depths.reduce(0, +)) / Double(depths.count)
        }
        #expect(trees.count == trained.treeCount)
        #expect(abs(trained.splitTestsPerPrediction - expected) < 1e-9 * max(1, expected))
        #expect(expected > Double(trees.count), "the fixture's trees are deeper than stumps")
    }

    @Test func malformedModelsAreRefusedWithTheReason() {
        #expect(throws: CompiledModelError.self) { try CompiledModel(jsonData: Data("[]".utf8)) }
        #expect(throws: CompiledModelError.malformed("learner.learner_model_param or learner.gradient_booster.name is missing")) {
            try CompiledModel(jsonData: Data(#"{"learner": {}}"#.utf8))
        }
    }
}
