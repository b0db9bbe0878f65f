@testable import DGAModel
import Foundation
import Testing
import TestSupport

/// The dictionary's training / held-out halves, the synthetic word-built training rows drawn
/// from the training half, and where those rows may and may not go.
@Suite(.serialized) struct WordDGAAugmentationTests {
    static let words = (try? DictionaryWords.load()) ?? []

    /// Splits `label` into words of `vocabulary` (each `minimum` letters or more), if it can.
    func segments(_ label: String, into vocabulary: Set<String>, minimum: Int) -> Bool {
        let characters = Array(label)
        var reachable = [Bool](repeating: false, count: characters.count + 1)
        reachable[0] = true
        for end in 1...characters.count where end >= minimum {
            for start in 0...(end - minimum) where reachable[start] {
                if vocabulary.contains(String(characters[start..<end])) { reachable[end] = true; break }
            }
        }
        return reachable[characters.count]
    }

    @Test func theDictionarySplitIsDisjointCompleteAndDeterministic() throws {
        try #require(Self.words.count > 50_000, "the dictionary (wamerican) is installed")
        let training = VocabularySplit.trainingWords(Self.words)
        let heldOut = VocabularySplit.heldOutWords(Self.words)
        #expect(Set(training).isDisjoint(with: Set(heldOut)))
        #expect(training.count + heldOut.count == Self.words.count)
        // About half each, by a hash of the word rather than by its place in the list.
        let share = Double(training.count) / Double(Self.words.count)
        #expect((0.47...0.53).contains(share), "training half holds \(share)")
        #expect(VocabularySplit.trainingWords(Self.words.reversed()) == training.reversed())
        let first = Set(Self.words.prefix(500))
        #expect(VocabularySplit.trainingWords(Array(Self.words.prefix(500))) == training.filter { first.contains($0) })
        // The same word lands in the same half on every machine and every run: pinned.
        let pinned = ["heaven", "shake", "apple", "network", "garden", "river", "stone", "cloud"].map { VocabularySplit.half(of: $0) }
        #expect(pinned == Self.pinnedHalves, "the split changed: held-out figures are no longer comparable")
    }

    /// The halves of the pinned words when the split was introduced.
    static let pinnedHalves: [VocabularySplit.Half] = [.heldOut, .training, .heldOut, .heldOut, .heldOut, .training, .heldOut, .training]

    @Test func augmentationDrawsFromTheTrainingHalfAndHeldOutWordFamiliesFromTheOther() throws {
        let training = Set(VocabularySplit.trainingWords(Self.words))
        let heldOut = Set(VocabularySplit.heldOutWords(Self.words))
        let labels = try WordDGAAugmentation.labels(count: 500, dictionaryWords: Self.words, seed: 42)
        #expect(labels.count == 500 && Set(labels).count == 500)
        #expect(labels == (try WordDGAAugmentation.labels(count: 500, dictionaryWords: Self.words, seed: 42)))
        #expect(labels != (try WordDGAAugmentation.labels(count: 500, dictionaryWords: Self.words, seed: 1)))
        #expect(labels.allSatisfy { $0.count <= WordDGAAugmentation.maximumLength + 3 })
        #expect(labels.contains { $0.contains("-") } && labels.contains { !$0.contains("-") })
        for label in labels {
            #expect(label.split(separator: "-").allSatisfy { segments(String($0), into: training, minimum: 3) }, "\(label)")
        }
        // Excluded labels are never produced.
        let excluded = Set(labels.prefix(100))
        #expect(Set(try WordDGAAugmentation.labels(count: 500, dictionaryWords: Self.words, seed: 42, excluding: excluded)).isDisjoint(with: excluded))
        // suppobox and matsnu names are made of held-out words only (banjori's base too).
        let text = try String(contentsOfFile: "/usr/share/common-licenses/GPL-3", encoding: .utf8).split { !$0.isLetter }.map { $0.lowercased() }
        for family in [SyntheticDGA.Family.suppobox, .matsnu] {
            for label in try SyntheticDGA.generate(family, count: 100, seed: 7, words: Self.words, textWords: text) {
                // matsnu may cut its last word at 24 characters: the full label's words are checked on shorter ones.
                guard label.count < 24 else { continue }
                #expect(label.split(separator: "-").allSatisfy { segments(String($0), into: heldOut, minimum: 4) }, "\(family) \(label)")
            }
        }
        #expect(throws: AutoMLError.self) { try WordDGAAugmentation.labels(count: 5, dictionaryWords: ["apple", "river"], seed: 1) }
    }

    @Test func syntheticRowsGoToTrainingOnlyAndLeaveTheRealSplitAlone() throws {
        let (labels, isIOC) = try AutoMLFixture.rows()
        let plain = try AutoMLDataset.prepare(labels: labels, isIOC: isIOC, dictionaryWords: Self.words, seed: 42, outOfFoldCount: 2)
        let augmented = try AutoMLDataset.prepare(labels: labels, isIOC: isIOC, dictionaryWords: Self.words, seed: 42, outOfFoldCount: 2,
                                                  wordDGAExamples: 300)
        #expect(plain.syntheticTrainingRows == 0 && augmented.syntheticTrainingRows == 300)
        #expect(augmented.realRowCount == labels.count && Array(augmented.labels.prefix(labels.count)) == labels)
        // Validation and test are the real lists' split, unchanged; training is the real
        // training rows followed by the synthetic ones.
        #expect(augmented.split.validation == plain.split.validation && augmented.split.test == plain.split.test)
        #expect(Array(augmented.split.train.prefix(plain.split.train.count)) == plain.split.train)
        #expect(Array(augmented.split.train.suffix(300)) == Array(labels.count..<(labels.count + 300)))
        #expect((augmented.split.validation + augmented.split.test).allSatisfy { $0 < labels.count })
        #expect(augmented.truth.train.suffix(300).allSatisfy { $0 })
        #expect(augmented.dense.train.rowCount == plain.dense.train.rowCount + 300)
        #expect(augmented.hashed.train.rowCount == plain.hashed.train.rowCount + 300)
        // (A missing feature is NaN, which equals nothing: compared by bit pattern.)
        #expect(augmented.dense.validation.values.map(\.bitPattern) == plain.dense.validation.values.map(\.bitPattern))
        #expect(augmented.dense.test.values.map(\.bitPattern) == plain.dense.test.values.map(\.bitPattern))
        // No synthetic label repeats a real one, and the featurizer (fitted on legit rows) is the same.
        #expect(Set(augmented.labels.suffix(300)).isDisjoint(with: Set(labels)))
        #expect(try augmented.featurizer.fingerprint() == plain.featurizer.fingerprint())
        // The class weight is the real rows' legit/ioc.
        #expect(augmented.scalePosWeight == plain.scalePosWeight)
        #expect(throws: AutoMLError.self) {
            try AutoMLDataset.prepare(labels: labels, isIOC: isIOC, dictionaryWords: Self.words, seed: 42, wordDGAExamples: -1)
        }
    }

    @Test func theFinalModelsThresholdComesFromRealRowsOnly() async throws {
        let (labels, isIOC) = try AutoMLFixture.rows()
        let data = try AutoMLDataset.prepare(labels: labels, isIOC: isIOC, dictionaryWords: Self.words, seed: 42, outOfFoldCount: 2,
                                             wordDGAExamples: 300)
        let result = try await AutoMLSearch(data: data, settings: AutoMLSettings(timeBudgetSeconds: 10, maxTrials: 2)).run()
        let final = try FinalModel.refit(result.best, data: data, seed: 42, folds: 2)
        // Trained on every train + validation row, synthetic ones included…
        #expect(final.trainingRows == data.truth.train.count + data.truth.validation.count)
        #expect(final.outOfFoldProbabilities.count == final.trainingRows)
        // …but the threshold and the out-of-fold figures count the real rows alone.
        #expect(final.outOfFold.confusion.total == final.trainingRows - 300)
        let rows = FinalModelRows(data)
        let real = rows.realRows
        #expect(rows.syntheticRows.count == 300)
        #expect(rows.syntheticRows.allSatisfy { rows.truth[$0] })
        let recomputed = try ClassificationMetrics.report(labels: real.map { rows.truth[$0] }, probabilities: real.map { final.outOfFoldProbabilities[$0] },
                                                          threshold: final.threshold)
        #expect(recomputed.f1 == final.outOfFold.f1)
    }

    @Test func syntheticRowsWeighWhatWordDGAWeightSays() throws {
        let (labels, isIOC) = try AutoMLFixture.rows()
        let full = try AutoMLDataset.prepare(labels: labels, isIOC: isIOC, dictionaryWords: Self.words, seed: 42, outOfFoldCount: 2,
                                             wordDGAExamples: 300)
        let light = try AutoMLDataset.prepare(labels: labels, isIOC: isIOC, dictionaryWords: Self.words, seed: 42, outOfFoldCount: 2,
                                              wordDGAExamples: 300, wordDGAWeight: 0.02)
        // Weight 1 (the default) sets no weights; a lighter one weighs the synthetic rows alone.
        #expect(full.trainingWeights == nil)
        let weights = try #require(light.trainingWeights)
        #expect(weights.count == light.truth.train.count)
        #expect(weights.dropLast(300).allSatisfy { $0 == 1 } && weights.suffix(300).allSatisfy { $0 == 0.02 })
        #expect(light.scalePosWeight == full.scalePosWeight)
        // The final model's refit weighs them the same; the rows it only scores carry no weight.
        let rows = FinalModelRows(light)
        let all = Array(rows.truth.indices)
        let refit = try rows.matrix(all, hashed: false, withLabels: true).weights()
        #expect(refit == all.map { rows.syntheticRows.contains($0) ? 0.02 : 1 })
        #expect(try rows.matrix(all, hashed: true, withLabels: true).weights() == refit)
        #expect(try rows.matrix(rows.realRows, hashed: false, withLabels: true).weights().isEmpty)
        #expect(try rows.matrix(all, hashed: false, withLabels: false).weights().isEmpty)

        // What the weight does: the same trial, trained on each, ranks word-built names it never
        // saw (another seed's draw) lower when the synthetic rows weigh little.
        let configuration = TrialConfiguration(algorithm: .xgboost, values: ["rounds": 40, "max_depth": 6, "eta": 0.3])
        let probe = try WordDGAAugmentation.labels(count: 200, dictionaryWords: Self.words, seed: 99, excluding: Set(full.labels))
        func meanProbability(_ data: AutoMLDataset) throws -> Double {
            let outcome = try TrialRunner.run(configuration, data: data, seed: 42)
            let booster = try Booster(modelData: outcome.modelJSON, nthread: 1)
            let probabilities = try booster.predict(data.featurizer.matrix(labels: probe, features: AutoMLDataset.denseFeatures))
            return probabilities.reduce(0) { $0 + Double($1) } / Double(probabilities.count)
        }
        let heavy = try meanProbability(full)
        let slight = try meanProbability(light)
        #expect(heavy > slight + 0.1, "mean ioc probability of unseen word-built names: weight 1 \(heavy), weight 0.02 \(slight)")

        for bad in [0, -1, Double.nan, Double.infinity] {
            #expect(throws: AutoMLError.self) {
                try AutoMLDataset.prepare(labels: labels, isIOC: isIOC, dictionaryWords: Self.words, seed: 42, outOfFoldCount: 2,
                                          wordDGAExamples: 10, wordDGAWeight: bad)
            }
        }
    }
}
