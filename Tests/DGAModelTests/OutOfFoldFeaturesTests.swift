@testable import DGAModel
import Foundation
import Testing
import TestSupport

/// The training rows' features are computed out of fold: a training label is never measured
/// against reference tables fitted on itself, while validation and test rows use the tables
/// of the whole training split (the ones the model saves).
@Suite(.serialized) struct OutOfFoldFeaturesTests {
    /// NaN (a missing feature) equals NaN here.
    private static func same(_ lhs: [Float], _ rhs: [Float]) -> Bool {
        lhs.count == rhs.count && zip(lhs, rhs).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
    }

    /// Every 10th dictionary word: fitting the dictionary tables dominates these tests' time,
    /// and the folds only concern the legit labels.
    private static func words() throws -> [String] {
        try DictionaryWords.load().enumerated().filter { $0.offset % 10 == 0 }.map(\.element)
    }

    private static func trigrams(_ label: String) -> Set<String> {
        let characters = Array(label)
        guard characters.count >= 3 else { return [] }
        return Set((0...(characters.count - 3)).map { String(characters[$0..<($0 + 3)]) })
    }

    @Test func noTrainingLabelSeesItsOwnNGrams() throws {
        let (labels, isIOC) = try AutoMLFixture.rows(legit: 600, ioc: 120)
        let words = try Self.words()
        let data = try AutoMLDataset.prepare(labels: labels, isIOC: isIOC, dictionaryWords: words, seed: 11)
        #expect(data.outOfFoldCount == OutOfFoldFeatures.defaultFoldCount)
        // Trigrams that occur in exactly one training legit label: only that label can put them
        // in a table. (On this small split min_df keeps every n-gram seen once.)
        let trainLegit = data.split.train.indices.filter { !data.truth.train[$0] }
        var labelsWith: [String: Set<String>] = [:]
        for row in trainLegit {
            let label = labels[data.split.train[row]]
            for gram in Self.trigrams(label) { labelsWith[gram, default: []].insert(label) }
        }
        let share = DomainFeature.popularTrigramShare.columnIndex
        var checked = 0
        for row in trainLegit {
            let label = labels[data.split.train[row]]
            guard Self.trigrams(label).contains(where: { labelsWith[$0]?.count == 1 }) else { continue }
            checked += 1
            // In-sample, the label's own trigrams are all in the table: the leak.
            #expect(data.featurizer.features(DomainInput(label: label))[share] == 1, "\(label)")
            // Out of fold, its own trigrams are not.
            #expect(data.dense.train[row, share] < 1, "\(label) sees its own trigrams")
        }
        #expect(checked > 50, "only \(checked) labels with a trigram of their own")
    }

    @Test func eachFoldUsesTablesFittedOnTheOtherFoldsScaledToTheWhole() throws {
        let (labels, isIOC) = try AutoMLFixture.rows(legit: 300, ioc: 60)
        let words = try Self.words()
        let configuration = AutoMLDataset.featurizerConfiguration
        let full = try Featurizer.fit(legitLabels: zip(labels, isIOC).filter { !$0.1 }.map(\.0),
                                      iocLabels: zip(labels, isIOC).filter { $0.1 }.map(\.0), dictionaryWords: words,
                                      configuration: configuration)
        #expect(full.ngramLogit != nil)
        let folds = 3
        let outOfFold = try OutOfFoldFeatures.compute(labels: labels, isIOC: isIOC, full: full, dictionaryWords: words,
                                                      foldCount: folds, seed: 5)
        #expect(outOfFold.dense.rowCount == labels.count)
        #expect(outOfFold.hashed.rowCount == labels.count)
        #expect(Set(outOfFold.folds) == Set(0..<folds))
        for fold in 0..<folds {
            let others = labels.indices.filter { outOfFold.folds[$0] != fold && !isIOC[$0] }.map { labels[$0] }
            let otherIOC = labels.indices.filter { outOfFold.folds[$0] != fold && isIOC[$0] }.map { labels[$0] }
            // The n-gram regression too is fitted on the other folds' rows, of both classes.
            let fitted = try Featurizer.fit(legitLabels: others, iocLabels: otherIOC, dictionaryWords: words, configuration: configuration)
            #expect(fitted.ngramLogit != full.ngramLogit)
            // The fold's popular counts are scaled to the whole training split's label count.
            let scale = Double(full.popularGrams.documentCount) / Double(fitted.popularGrams.documentCount)
            let popular = try fitted.popularGrams.scaled(toDocumentCount: full.popularGrams.documentCount)
            #expect(abs(popular.countScale - scale) < 1e-12 && scale > 1.4 && scale < 1.6)
            let reference = Featurizer(version: fitted.version, configuration: configuration, popularGrams: popular,
                                       dictionaryGrams: fitted.dictionaryGrams, characterModel: fitted.characterModel,
                                       dictionary: fitted.dictionary, ngramLogit: fitted.ngramLogit)
            let rows = labels.indices.filter { outOfFold.folds[$0] == fold }
            #expect(rows.count >= labels.count / folds - 1)
            for row in rows {
                let expected = reference.features(DomainInput(label: labels[row]))
                #expect(Self.same(outOfFold.dense.row(row), expected), "row \(row) \(labels[row])")
            }
            // The sparse rows carry the same dense features after the hashed n-grams.
            let check = rows[rows.count / 2]
            let expectedSparse = reference.hashedNGrams([DomainInput(label: labels[check])], appending: DomainFeature.allCases)
            let range = outOfFold.hashed.rowOffsets[check]..<outOfFold.hashed.rowOffsets[check + 1]
            #expect(Array(outOfFold.hashed.columnIndices[range]) == expectedSparse.columnIndices)
            #expect(Array(outOfFold.hashed.values[range]) == expectedSparse.values)
        }
    }

    @Test func foldsRefittedOnSeveralCoresGiveTheSameFeaturesAsOneAfterAnother() throws {
        let (labels, isIOC) = try AutoMLFixture.rows(legit: 300, ioc: 60)
        let words = try Self.words()
        let full = try Featurizer.fit(legitLabels: zip(labels, isIOC).filter { !$0.1 }.map(\.0), dictionaryWords: words,
                                      configuration: AutoMLDataset.featurizerConfiguration)
        let serial = try OutOfFoldFeatures.compute(labels: labels, isIOC: isIOC, full: full, dictionaryWords: words,
                                                   foldCount: 4, seed: 9, threads: 1)
        let parallel = try OutOfFoldFeatures.compute(labels: labels, isIOC: isIOC, full: full, dictionaryWords: words,
                                                     foldCount: 4, seed: 9, threads: 4)
        #expect(serial.folds == parallel.folds)
        #expect(Self.same(serial.dense.values, parallel.dense.values))
        #expect(serial.hashed.rowOffsets == parallel.hashed.rowOffsets)
        #expect(serial.hashed.columnIndices == parallel.hashed.columnIndices)
        #expect(Self.same(serial.hashed.values, parallel.hashed.values))
        // A fold whose complement has no real ioc label fails when the featurizer has the
        // regression (its rows would miss ngram_logit), on either path.
        let oneIOC = isIOC.indices.map { isIOC[$0] && labels[$0] == labels[isIOC.firstIndex(of: true) ?? 0] }
        let withRegression = try Featurizer.fit(legitLabels: zip(labels, isIOC).filter { !$0.1 }.map(\.0),
                                                iocLabels: zip(labels, oneIOC).filter { $0.1 }.map(\.0), dictionaryWords: words,
                                                configuration: AutoMLDataset.featurizerConfiguration)
        for threads in [1, 4] {
            #expect(throws: AutoMLError.self) {
                try OutOfFoldFeatures.compute(labels: labels, isIOC: oneIOC, full: withRegression, dictionaryWords: words,
                                              foldCount: 4, seed: 9, threads: threads)
            }
        }
        // A fold whose complement has no legit label fails the same way on either path.
        let allIOC = [Bool](repeating: true, count: labels.count)
        for threads in [1, 4] {
            #expect(throws: AutoMLError.self) {
                try OutOfFoldFeatures.compute(labels: labels, isIOC: allIOC, full: full, dictionaryWords: words,
                                              foldCount: 4, seed: 9, threads: threads)
            }
        }
    }

    @Test func copiesOfALabelShareAFoldAndFoldsAreBalanced() throws {
        let labels = (0..<500).map { "name\($0 % 200)" } + ["Example", "example", "EXAMPLE."]
        let folds = try OutOfFoldFeatures.assignFolds(labels: labels, foldCount: 4, seed: 3)
        var foldOf: [String: Int] = [:]
        for (label, fold) in zip(labels.map { $0.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: ".")) }, folds) {
            if let known = foldOf[label] { #expect(known == fold, "\(label) split across folds") }
            foldOf[label] = fold
        }
        let sizes = Dictionary(grouping: foldOf.values, by: { $0 }).mapValues(\.count)
        #expect(sizes.count == 4)
        #expect((sizes.values.max() ?? 0) - (sizes.values.min() ?? 0) <= 1)
        #expect(try OutOfFoldFeatures.assignFolds(labels: labels, foldCount: 4, seed: 3) == folds)
        #expect(try OutOfFoldFeatures.assignFolds(labels: labels, foldCount: 4, seed: 4) != folds)
        #expect(throws: AutoMLError.self) { try OutOfFoldFeatures.assignFolds(labels: labels, foldCount: 1, seed: 3) }
    }

    @Test func validationAndTestUseTheWholeTrainingSplitsTables() throws {
        let (labels, isIOC) = try AutoMLFixture.rows(legit: 600, ioc: 120)
        let words = try Self.words()
        let data = try AutoMLDataset.prepare(labels: labels, isIOC: isIOC, dictionaryWords: words, seed: 9)
        let inSample = try AutoMLDataset.prepare(labels: labels, isIOC: isIOC, dictionaryWords: words, seed: 9, outOfFoldCount: nil)
        #expect(inSample.outOfFoldCount == nil)
        let validation = data.featurizer.matrix(labels: data.split.validation.map { labels[$0] })
        #expect(Self.same(data.dense.validation.values, validation.values))
        #expect(Self.same(data.dense.test.values, inSample.dense.test.values))
        #expect(data.hashed.validation == inSample.hashed.validation)
        #expect(try data.featurizer.jsonData() == inSample.featurizer.jsonData())
        // Only the training rows differ, and only in the features that read the fitted tables.
        let train = data.dense.train, leaky = inSample.dense.train
        for feature in DomainFeature.allCases {
            let column = feature.columnIndex
            let differs = (0..<train.rowCount).contains { !Self.same([train[$0, column]], [leaky[$0, column]]) }
            let use = Featurizer.TableUse([feature])
            let readsTrainingTables = use.contains(.popular) || use.contains(.characterModel) || use.contains(.logit)
            #expect(differs == readsTrainingTables, "\(feature.rawValue)")
        }
    }

    /// A fold's tables, applied to labels no table has seen (the validation and test legit
    /// rows), give the features the whole training split's tables give them: the training rows'
    /// features then come from the distribution scoring meets. Unscaled, the fold table's
    /// counts are 80% of the whole table's and every matched n-gram weighs log10(0.8) less.
    @Test func foldTablesScoreUnseenLabelsAsTheWholeTablesDo() throws {
        let (labels, isIOC) = try AutoMLFixture.rows(legit: 4000, ioc: 100)
        let words = try Self.words()
        let data = try AutoMLDataset.prepare(labels: labels, isIOC: isIOC, dictionaryWords: words, seed: 13, outOfFoldCount: nil)
        let unseen = (data.split.validation + data.split.test).filter { !isIOC[$0] }.map { labels[$0] }
        let training = data.split.train.map { labels[$0] }
        let folds = try OutOfFoldFeatures.assignFolds(labels: training, foldCount: OutOfFoldFeatures.defaultFoldCount, seed: 13)
        let others = training.indices.filter { folds[$0] != 0 && !isIOC[data.split.train[$0]] }.map { training[$0] }
        let fold = try data.featurizer.refitted(legitLabels: others, uniqueDictionaryWords: NGramTable.uniqueNormalized(words))
        #expect(fold.popularGrams.countScale > 1.2 && fold.popularGrams.countScale < 1.3)
        let unscaledTable = try NGramTable.fit(documents: others, minN: 3, maxN: 5,
                                               minDocumentFrequency: fold.configuration.popularMinDocumentFrequency)
        let unscaled = Featurizer(version: fold.version, configuration: fold.configuration, popularGrams: unscaledTable,
                                  dictionaryGrams: fold.dictionaryGrams, characterModel: fold.characterModel, dictionary: fold.dictionary,
                                  ngramLogit: fold.ngramLogit)

        let column = DomainFeature.alexaGrams.columnIndex
        let mean = { (featurizer: Featurizer) -> Double in
            let matrix = featurizer.matrix(labels: unseen, features: [.alexaGrams])
            return (0..<matrix.rowCount).reduce(0.0) { $0 + Double(matrix[$1, 0]) } / Double(matrix.rowCount)
        }
        let whole = mean(data.featurizer), scaled = mean(fold), plain = mean(unscaled)
        #expect(whole > 3, "mean alexa_grams of unseen legit labels \(whole)")
        // Scaled, the means agree within 1.5%; unscaled, the fold's runs clearly low.
        #expect(abs(scaled - whole) < 0.015 * whole, "fold \(scaled) vs whole \(whole)")
        #expect(whole - plain > 0.03 * whole, "unscaled fold \(plain) vs whole \(whole)")
        // Label by label too: the scaled fold's score is as often above the whole table's as below.
        let wholeRows = data.featurizer.matrix(labels: unseen), foldRows = fold.matrix(labels: unseen)
        let above = (0..<wholeRows.rowCount).filter { foldRows[$0, column] > wholeRows[$0, column] }.count
        let below = (0..<wholeRows.rowCount).filter { foldRows[$0, column] < wholeRows[$0, column] }.count
        #expect(Double(min(above, below)) > 0.6 * Double(max(above, below)), "above \(above), below \(below)")
    }
}
