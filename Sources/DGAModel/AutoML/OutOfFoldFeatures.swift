import Foundation
import Hashing

/// Features of the training rows computed out of fold, so that no training label is measured
/// against reference tables that contain it.
///
/// The featurizer's popular n-gram table and character model are fitted on the training
/// split's legit labels. Featurizing those same labels with those tables lets every legit
/// training label see its own n-grams (its `alexa_trigram_share`, `alexa_grams` and character
/// model figures are inflated), which no validation, test or real-world legit name gets: the
/// model would learn that shortcut and misjudge unseen legit names. So the training rows are
/// cut into `foldCount` folds by label (identical labels share a fold), and each fold is
/// featurized with tables fitted on the legit labels of the other folds, as target encoding is
/// done out of fold. The dictionary tables do not depend on the training data and are shared.
/// Validation, test, held-out and scoring rows use the featurizer fitted on the whole training
/// split, which is the one the model bundle saves.
public struct OutOfFoldFeatures: Sendable {
    /// Folds used when none are given: each fold's tables see 80% of the training legit labels.
    public static let defaultFoldCount = 5

    /// Number of folds.
    public let foldCount: Int
    /// The fold of each training row, in the order the rows were given.
    public let folds: [Int]
    /// Dense features of the training rows (all of `features`), each from its fold's tables.
    public let dense: DenseMatrix
    /// Hashed n-grams followed by the dense features, per training row.
    public let hashed: SparseMatrix

    /// Assigns folds and featurizes the training rows out of fold.
    ///
    /// - Parameters:
    ///   - labels: the training rows' labels.
    ///   - isIOC: their classes; only legit labels enter the fold tables.
    ///   - full: the featurizer fitted on all training legit labels; its dictionary tables and
    ///     configuration are reused.
    ///   - dictionaryWords: the words `full` was fitted with (the character model reads them).
    ///   - realRowCount: rows from this index on are synthetic (`word_dga_examples`): they are
    ///     featurized out of fold like the rest but fit no fold's n-gram regression, as they fit
    ///     none of the full featurizer's tables (nil: every row is real).
    ///   - foldCount: 2 or more.
    ///   - seed: seed of the fold assignment.
    ///   - features: the dense columns, in order.
    ///   - threads: 1 refits the folds one after another; more spreads them over the cores
    ///     (the features do not depend on it).
    /// - Throws: `AutoMLError.invalidSetting` for fewer than 2 folds or more folds than distinct
    ///   labels; `AutoMLError.notEnoughData` when a fold's complement has no legit label.
    public static func compute(labels: [String], isIOC: [Bool], full: Featurizer, dictionaryWords: [String],
                               realRowCount: Int? = nil, foldCount: Int = defaultFoldCount, seed: UInt64,
                               features: [DomainFeature] = DomainFeature.allCases,
                               threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws -> OutOfFoldFeatures {
        guard labels.count == isIOC.count else {
            throw AutoMLError.notEnoughData("\(labels.count) training labels but \(isIOC.count) classes")
        }
        let folds = try assignFolds(labels: labels, foldCount: foldCount, seed: seed)
        let uniqueWords = NGramTable.uniqueNormalized(dictionaryWords)
        var foldRows = [[Int]](repeating: [], count: foldCount)
        for (row, fold) in folds.enumerated() { foldRows[fold].append(row) }

        let otherLegit = try (0..<foldCount).map { fold in
            let legit = labels.indices.filter { folds[$0] != fold && !isIOC[$0] }.map { labels[$0] }
            guard !legit.isEmpty else {
                throw AutoMLError.notEnoughData("the training folds other than \(fold + 1) of \(foldCount) hold no legit label")
            }
            return legit
        }
        let real = realRowCount ?? labels.count
        let otherIOC = try (0..<foldCount).map { fold in
            let ioc = labels.indices.filter { folds[$0] != fold && isIOC[$0] && $0 < real }.map { labels[$0] }
            // Where the saved featurizer has the regression, every fold needs one, or that fold's
            // rows would miss a feature every other row has.
            guard full.ngramLogit == nil || !NGramTable.uniqueNormalized(ioc).isEmpty else {
                throw AutoMLError.notEnoughData("the training folds other than \(fold + 1) of \(foldCount) hold no real ioc label")
            }
            return ioc
        }
        // The folds are independent, and refitting the tables dominates: one fold per core.
        let parts = JobResults<(DenseMatrix, SparseMatrix)>(count: foldCount)
        let inputs = foldRows.map { rows in rows.map { DomainInput(label: labels[$0]) } }
        let work = { @Sendable (fold: Int) in
            parts.run(fold) {
                let featurizer = try full.refitted(legitLabels: otherLegit[fold], iocLabels: otherIOC[fold],
                                                   uniqueDictionaryWords: uniqueWords)
                return (featurizer.matrix(inputs[fold], features: features),
                        featurizer.hashedNGrams(inputs[fold], appending: features))
            }
        }
        if threads > 1 {
            DispatchQueue.concurrentPerform(iterations: foldCount, execute: work)
        } else {
            for fold in 0..<foldCount { work(fold) }
        }
        let computed = try parts.values()
        let denseParts = computed.map(\.0)
        let hashedParts = computed.map(\.1)
        // Back to the rows' own order: row r is at position `placed[r]` of the fold-ordered parts.
        var placed = [Int](repeating: 0, count: labels.count)
        var position = 0
        for rows in foldRows {
            for row in rows {
                placed[row] = position
                position += 1
            }
        }
        let dense = DenseMatrix.concatenating(denseParts, columnCount: features.count).selecting(rows: placed)
        let hashed = SparseMatrix.concatenating(hashedParts, columnCount: full.configuration.hashing.bucketCount + features.count)
            .selecting(rows: placed)
        return OutOfFoldFeatures(foldCount: foldCount, folds: folds, dense: dense, hashed: hashed)
    }

    /// The fold of each label: distinct normalized labels are shuffled (seeded) and dealt out in
    /// turn, so folds differ in size by at most one label and copies of a label share a fold.
    public static func assignFolds(labels: [String], foldCount: Int, seed: UInt64) throws -> [Int] {
        guard foldCount >= 2 else {
            throw AutoMLError.invalidSetting("out-of-fold features need at least 2 folds, got \(foldCount)")
        }
        let normalized = labels.map(LabelText.normalized)
        var distinct = Array(Set(normalized)).sorted()
        guard distinct.count >= foldCount else {
            throw AutoMLError.invalidSetting("\(foldCount) folds need at least \(foldCount) distinct training labels, found \(distinct.count)")
        }
        var generator = SplitMix64(seed: seed ^ 0x0F0F_F01D_5EED_0F0F)
        for position in stride(from: distinct.count - 1, to: 0, by: -1) {
            distinct.swapAt(position, Int(generator.next() % UInt64(position + 1)))
        }
        var foldOf: [String: Int] = [:]
        foldOf.reserveCapacity(distinct.count)
        for (position, label) in distinct.enumerated() { foldOf[label] = position % foldCount }
        return normalized.map { foldOf[$0] ?? 0 }
    }
}

extension Featurizer {
    /// This featurizer with its training-dependent tables (popular n-grams, character model,
    /// and the n-gram regression where it has one) fitted again on `legitLabels` and
    /// `iocLabels`; the dictionary tables, configuration and version stay.
    func refitted(legitLabels: [String], iocLabels: [String] = [], uniqueDictionaryWords: [String]) throws -> Featurizer {
        // Scaled to the whole training split's count: a fold table holds about 80% of its
        // counts, which would make every matched n-gram weigh log10(0.8) ≈ 0.1 less in the
        // training rows' `alexa_grams` than in validation, test and scoring rows'.
        let popular = try NGramTable.fit(documents: legitLabels, minN: configuration.nGramMinN, maxN: configuration.nGramMaxN,
                                         minDocumentFrequency: configuration.popularMinDocumentFrequency)
            .scaled(toDocumentCount: popularGrams.documentCount)
        let model = try CharacterModel.fit(texts: NGramTable.uniqueNormalized(legitLabels) + uniqueDictionaryWords,
                                           concentration: configuration.characterModelConcentration)
        // The regression is refitted only where the full featurizer has one (fitted with ioc
        // labels), so that fold rows and the rest have the same feature or none.
        let logit = ngramLogit == nil || iocLabels.isEmpty ? nil
            : try NGramLogit.fit(legitLabels: legitLabels, iocLabels: iocLabels, hashing: configuration.hashing)
        return Featurizer(version: version, configuration: configuration, popularGrams: popular, dictionaryGrams: dictionaryGrams,
                          characterModel: model, dictionary: dictionary, ngramLogit: logit)
    }
}

extension DenseMatrix {
    /// The rows of `parts`, one after another.
    static func concatenating(_ parts: [DenseMatrix], columnCount: Int) -> DenseMatrix {
        var values: [Float] = []
        values.reserveCapacity(parts.reduce(0) { $0 + $1.values.count })
        for part in parts { values.append(contentsOf: part.values) }
        return DenseMatrix(unchecked: parts.reduce(0) { $0 + $1.rowCount }, columnCount, values)
    }
}

extension SparseMatrix {
    /// The rows of `parts`, one after another.
    static func concatenating(_ parts: [SparseMatrix], columnCount: Int) -> SparseMatrix {
        var offsets = [0]
        var columns: [UInt32] = []
        var values: [Float] = []
        for part in parts {
            let base = values.count
            offsets.append(contentsOf: part.rowOffsets.dropFirst().map { $0 + base })
            columns.append(contentsOf: part.columnIndices)
            values.append(contentsOf: part.values)
        }
        return SparseMatrix(unchecked: columnCount, offsets, columns, values)
    }
}
