import Foundation

/// The training data of an AutoML search, split and featurized once for every trial.
///
/// The featurizer is fitted on the training split's legit labels and the dictionary only, so
/// that neither validation nor test labels shape its n-gram tables. The training rows' own
/// features are computed out of fold (`OutOfFoldFeatures`), so that no training label is
/// measured against tables holding its own n-grams. All parts are value types,
/// so trials running at once share them safely; each trial makes its own XGBoost matrices.
public struct AutoMLDataset: Sendable {
    /// Domain labels (left of the public suffix), all rows.
    public let labels: [String]
    /// true = ioc, per row.
    public let isIOC: [Bool]
    /// The stratified train / validation / test split.
    public let split: DataSplit
    /// The fitted featurizer.
    public let featurizer: Featurizer
    /// Dense domain features (all of `DomainFeature`) per part.
    public let dense: Parts<DenseMatrix>
    /// Hashed n-grams followed by the dense features, per part (the linear model's input).
    public let hashed: Parts<SparseMatrix>
    /// Truth per part.
    public let truth: Parts<[Bool]>
    /// Folds of the training rows' out-of-fold features; nil when they were computed with the
    /// whole training split's tables (in-sample, only for comparison).
    public let outOfFoldCount: Int?
    /// Synthetic word-built ioc rows (`WordDGAAugmentation`) added to the training part: the
    /// last this many rows of `split.train` (and of `labels`, `isIOC`, the training matrices).
    /// Never in validation or test, which stay the real lists' split.
    public var syntheticTrainingRows: Int = 0
    /// What each synthetic row weighs against a real ioc row (`word_dga_weight`; both are then
    /// weighed by the trial's class weight). Below 1, many synthetic rows can show the shape of
    /// word-built names while weighing, together, no more than a few do.
    public var syntheticRowWeight: Float = 1
    /// The training rows' weights: nil (all 1) without synthetic rows or when they weigh 1.
    public var trainingWeights: [Float]? {
        guard syntheticTrainingRows > 0, syntheticRowWeight != 1 else { return nil }
        return Array(repeating: 1, count: truth.train.count - syntheticTrainingRows)
            + Array(repeating: syntheticRowWeight, count: syntheticTrainingRows)
    }
    /// The rows of the real lists (the training table), before any synthetic row.
    public var realRowCount: Int { labels.count - syntheticTrainingRows }

    /// One value per part of the split.
    public struct Parts<Value: Sendable>: Sendable {
        /// The training rows' value.
        public let train: Value
        /// The validation rows' value.
        public let validation: Value
        /// The test rows' value.
        public let test: Value
    }

    /// Dense features used by every model, in column order.
    public static let denseFeatures: [DomainFeature] = DomainFeature.allCases

    /// The featurizer settings for AutoML: 2^16 hash buckets keep the linear model's
    /// coordinate descent cheap enough to try many configurations within minutes.
    public static var featurizerConfiguration: Featurizer.Configuration {
        var configuration = Featurizer.Configuration()
        configuration.hashing = NGramHashing(bucketBits: 16)
        return configuration
    }

    /// Legit rows per ioc row in training: `scale_pos_weight` for the tree boosters. Counted on
    /// the real rows only, so that synthetic word-built rows add ioc weight rather than lower
    /// every real ioc row's.
    public var scalePosWeight: Double {
        let real = truth.train.dropLast(syntheticTrainingRows)
        let ioc = real.filter { $0 }.count
        return ioc == 0 ? 1 : Double(real.count - ioc) / Double(ioc)
    }

    /// Synthetic word-built ioc rows added to training by step 02 and `bench train` by default
    /// (`word_dga_examples`), each weighing `defaultWordDGAWeight` of a real ioc row: together
    /// 90 rows' worth, about 5% of the real training ioc weight. The accelerator's DGA list holds
    /// almost no word-built names, so without them the model ranks word-built families *below*
    /// unfamiliar legit names (held-out ROC AUC 0.75-0.80); with them 0.95-0.96, for about 0.001
    /// of test ROC AUC on seed 42 (RUNME.md § AutoML figures).
    public static let defaultWordDGAExamples = 600
    /// What a synthetic row weighs against a real ioc row by default (`word_dga_weight`): many
    /// light rows rather than a few heavy ones (150 rows of weight 1 cost more test precision).
    public static let defaultWordDGAWeight = 0.15

    /// Splits (stratified, seeded) and featurizes the rows.
    ///
    /// - Throws: `DataSplitError` for bad fractions, `AutoMLError.notEnoughData` when a part
    ///   lacks a class.
    /// - Parameter outOfFoldCount: folds for the training rows' features (see
    ///   `OutOfFoldFeatures`); nil featurizes them in-sample with the whole split's tables,
    ///   which leaks each legit label's own n-grams into its features (kept for comparison).
    /// - Parameter wordDGAExamples: synthetic word-built ioc labels (`WordDGAAugmentation`, from
    ///   the training half of the dictionary) appended to the training part after the split;
    ///   0 adds none. They are featurized like the real training rows (out of fold) and never
    ///   reach validation or test.
    /// - Parameter wordDGAWeight: what each synthetic row weighs against a real ioc row.
    public static func prepare(labels realLabels: [String], isIOC realIsIOC: [Bool], dictionaryWords: [String], seed: UInt64,
                               validationFraction: Double = 0.1, testFraction: Double = 0.2,
                               outOfFoldCount: Int? = OutOfFoldFeatures.defaultFoldCount,
                               wordDGAExamples: Int = 0, wordDGAWeight: Double = 1) throws -> AutoMLDataset {
        guard realLabels.count == realIsIOC.count else {
            throw AutoMLError.notEnoughData("\(realLabels.count) labels but \(realIsIOC.count) classes")
        }
        guard wordDGAExamples >= 0 else { throw AutoMLError.invalidSetting("word_dga_examples \(wordDGAExamples) must be 0 or more") }
        guard wordDGAWeight > 0, wordDGAWeight.isFinite else {
            throw AutoMLError.invalidSetting("word_dga_weight \(wordDGAWeight) must be above 0 (1 = a real ioc row's weight)")
        }
        let realSplit = try DataSplit.stratified(labels: realIsIOC, train: 1 - validationFraction - testFraction,
                                                 validation: validationFraction, test: testFraction, seed: seed)
        // The split is made on the real rows alone (the same as without augmentation); the
        // synthetic rows are appended after them and go to training only.
        let synthetic = try WordDGAAugmentation.labels(count: wordDGAExamples, dictionaryWords: dictionaryWords, seed: seed,
                                                       excluding: Set(realLabels))
        let labels = realLabels + synthetic
        let isIOC = realIsIOC + Array(repeating: true, count: synthetic.count)
        let split = DataSplit(train: realSplit.train + Array(realLabels.count..<labels.count), validation: realSplit.validation,
                              test: realSplit.test)
        let pick = { (rows: [Int]) -> [Bool] in rows.map { isIOC[$0] } }
        let truth = Parts(train: pick(split.train), validation: pick(split.validation), test: pick(split.test))
        for (name, part) in [("training", truth.train), ("validation", truth.validation), ("test", truth.test)] {
            guard part.contains(true), part.contains(false) else {
                throw AutoMLError.notEnoughData("the \(name) part needs both legit and ioc rows (\(part.count) rows)")
            }
        }
        let legitTraining = split.train.filter { !isIOC[$0] }.map { labels[$0] }
        // The regression, like the tables, is fitted on the real rows only: synthetic rows train
        // the models, not the featurizer.
        let iocTraining = split.train.filter { isIOC[$0] && $0 < realLabels.count }.map { labels[$0] }
        let featurizer = try Featurizer.fit(legitLabels: legitTraining, iocLabels: iocTraining, dictionaryWords: dictionaryWords,
                                            configuration: featurizerConfiguration)
        let featurize = { (rows: [Int]) -> (DenseMatrix, SparseMatrix) in
            let inputs = rows.map { DomainInput(label: labels[$0]) }
            return (featurizer.matrix(inputs, features: denseFeatures), featurizer.hashedNGrams(inputs, appending: denseFeatures))
        }
        let train: (DenseMatrix, SparseMatrix)
        if let outOfFoldCount {
            let outOfFold = try OutOfFoldFeatures.compute(labels: split.train.map { labels[$0] }, isIOC: truth.train, full: featurizer,
                                                          dictionaryWords: dictionaryWords, realRowCount: realSplit.train.count,
                                                          foldCount: outOfFoldCount, seed: seed, features: denseFeatures)
            train = (outOfFold.dense, outOfFold.hashed)
        } else {
            train = featurize(split.train)
        }
        let validation = featurize(split.validation)
        let test = featurize(split.test)
        var data = AutoMLDataset(
            labels: labels, isIOC: isIOC, split: split, featurizer: featurizer,
            dense: Parts(train: train.0, validation: validation.0, test: test.0),
            hashed: Parts(train: train.1, validation: validation.1, test: test.1),
            truth: truth, outOfFoldCount: outOfFoldCount)
        data.syntheticTrainingRows = synthetic.count
        data.syntheticRowWeight = Float(wordDGAWeight)
        return data
    }
}

/// Why an AutoML search could not run.
public enum AutoMLError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Too few rows, or a class missing from a part of the split.
    case notEnoughData(String)
    /// A setting out of range.
    case invalidSetting(String)
    /// Every trial failed; the message is the last failure.
    case noSuccessfulTrial(String)
    /// A model directory is missing a file or holds an unreadable one.
    case badModel(String)

    public var description: String {
        switch self {
        case let .notEnoughData(detail): return "not enough training data: \(detail)"
        case let .invalidSetting(detail): return "invalid AutoML setting: \(detail)"
        case let .noSuccessfulTrial(detail): return "no trial finished: \(detail)"
        case let .badModel(detail): return "cannot load the model: \(detail)"
        }
    }
}
