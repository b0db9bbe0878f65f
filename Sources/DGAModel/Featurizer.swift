import Foundation

/// Turns domain labels into model inputs: dense features (`DomainFeature`) and hashed
/// character n-grams, computed from reference tables fitted once on popular domains and a
/// dictionary.
///
/// The tables travel with the model (`jsonData()`, `init(jsonData:)`), so scoring computes
/// exactly the features training saw; `version` changes whenever a computation does.
public struct Featurizer: Sendable {
    /// The feature computation this build implements.
    public static let currentVersion = 3
    /// Versions this build reads. Versions 2 and 3 only added features (char_unigram and after;
    /// ngram_logit); the features of earlier versions are computed the same, so older models
    /// still score.
    public static let readableVersions = 1...3

    /// Settings for fitting the reference tables.
    public struct Configuration: Sendable, Equatable, Codable {
        /// Shortest n-gram of the accelerator's n-gram features.
        public var nGramMinN = 3
        /// Longest n-gram of the accelerator's n-gram features.
        public var nGramMaxN = 5
        /// The accelerator's `min_df` for popular labels.
        public var popularMinDocumentFrequency = 1e-4
        /// The accelerator's `min_df` for dictionary words.
        public var dictionaryMinDocumentFrequency = 1e-5
        /// Back-off weight of the character model.
        public var characterModelConcentration = 5.0
        /// Shortest dictionary word counted by word coverage.
        public var minimumWordLength = 3
        /// The sparse hashed n-gram input.
        public var hashing = NGramHashing()

        /// The accelerator's settings and 2^18 hashed 2-4-grams.
        public init() {}
    }

    /// The feature computation version the tables were fitted for.
    public let version: Int
    /// How the tables were fitted.
    public let configuration: Configuration
    /// N-gram counts of the popular (legitimate) labels.
    public let popularGrams: NGramTable
    /// N-gram counts of the dictionary words.
    public let dictionaryGrams: NGramTable
    /// Character trigram model of popular labels and dictionary words.
    public let characterModel: CharacterModel
    /// Dictionary words for coverage.
    public let dictionary: WordCoverage
    /// The n-gram regression behind `ngram_logit` (nil when fitted without ioc labels, or
    /// read from a version before 3: the feature is then missing).
    public let ngramLogit: NGramLogit?
    /// The n-gram tables and the words in one index for one walk per label, built here from
    /// the tables (nil when they fall outside what it covers: then each table is read alone).
    let gramIndex: GramIndex?

    /// Every dense feature with its explanation, in column order.
    public static let featureDescriptions: [FeatureDescription] = DomainFeature.allCases.map {
        FeatureDescription(name: $0.rawValue, summary: $0.summary)
    }

    /// Fits the reference tables.
    ///
    /// - Parameters:
    ///   - legitLabels: registered-domain labels of popular sites (the alexa list), as the ETL
    ///     extracts them; duplicates are dropped.
    ///   - iocLabels: machine-made labels of the same training rows, for the n-gram regression
    ///     (`ngram_logit`); with none, that feature is missing.
    ///   - dictionaryWords: words (see `DictionaryWords.load`).
    public static func fit(legitLabels: [String], iocLabels: [String] = [], dictionaryWords: [String],
                           configuration: Configuration = .init()) throws -> Featurizer {
        try configuration.hashing.validate()
        let popular = try NGramTable.fit(documents: legitLabels, minN: configuration.nGramMinN, maxN: configuration.nGramMaxN,
                                         minDocumentFrequency: configuration.popularMinDocumentFrequency)
        let dictionaryGrams = try NGramTable.fit(documents: dictionaryWords, minN: configuration.nGramMinN, maxN: configuration.nGramMaxN,
                                                 minDocumentFrequency: configuration.dictionaryMinDocumentFrequency)
        let model = try CharacterModel.fit(texts: NGramTable.uniqueNormalized(legitLabels) + NGramTable.uniqueNormalized(dictionaryWords),
                                           concentration: configuration.characterModelConcentration)
        let coverage = try WordCoverage(words: dictionaryWords, minimumWordLength: configuration.minimumWordLength)
        // Labels that normalise to nothing ("", ".") are no ioc labels.
        let logit = NGramTable.uniqueNormalized(iocLabels).isEmpty ? nil
            : try NGramLogit.fit(legitLabels: legitLabels, iocLabels: iocLabels, hashing: configuration.hashing)
        return Featurizer(version: currentVersion, configuration: configuration, popularGrams: popular,
                          dictionaryGrams: dictionaryGrams, characterModel: model, dictionary: coverage, ngramLogit: logit)
    }

    init(version: Int, configuration: Configuration, popularGrams: NGramTable, dictionaryGrams: NGramTable,
         characterModel: CharacterModel, dictionary: WordCoverage, ngramLogit: NGramLogit?) {
        self.version = version
        self.configuration = configuration
        self.popularGrams = popularGrams
        self.dictionaryGrams = dictionaryGrams
        self.characterModel = characterModel
        self.dictionary = dictionary
        self.ngramLogit = ngramLogit
        // The combined index numbers the weights of unscaled counts; a scaled table (out-of-fold
        // training features only, never saved) is read table by table.
        self.gramIndex = popularGrams.countScale == 1 && dictionaryGrams.countScale == 1
            ? GramIndex(popular: popularGrams, dictionary: dictionaryGrams, coverage: dictionary) : nil
    }

    // MARK: Dense features

    /// All dense features of one domain, in `DomainFeature.allCases` order.
    public func features(_ input: DomainInput) -> [Float] {
        features(input, selecting: DomainFeature.allCases)
    }

    /// The chosen dense features of one domain, in the order given.
    public func features(_ input: DomainInput, selecting chosen: [DomainFeature]) -> [Float] {
        let columns = chosen.map(\.columnIndex)
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: DomainFeature.allCases.count) { row in
            computeAll(input, tables: TableUse(chosen), into: row)
            return columns.map { row[$0] }
        }
    }

    /// A matrix of the chosen features, one row per input.
    public func matrix(_ inputs: [DomainInput], features chosen: [DomainFeature] = DomainFeature.allCases) -> DenseMatrix {
        let columns = chosen.map(\.columnIndex)
        let tables = TableUse(chosen)
        var values = [Float](repeating: 0, count: inputs.count * columns.count)
        values.withUnsafeMutableBufferPointer { out in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: DomainFeature.allCases.count) { row in
                var position = 0
                for input in inputs {
                    computeAll(input, tables: tables, into: row)
                    for column in columns {
                        out[position] = row[column]
                        position += 1
                    }
                }
            }
        }
        return DenseMatrix(unchecked: inputs.count, columns.count, values)
    }

    /// A matrix of the chosen features for labels without hosts.
    public func matrix(labels: [String], features chosen: [DomainFeature] = DomainFeature.allCases) -> DenseMatrix {
        matrix(labels.map { DomainInput(label: $0) }, features: chosen)
    }

    /// Column names of a feature selection, for DMatrix and model feature names.
    public static func names(of chosen: [DomainFeature]) -> [String] { chosen.map(\.rawValue) }

    // MARK: Hashed n-grams

    /// Hashed character n-grams of each label as sparse rows, optionally followed by dense
    /// features in columns `bucketCount…` (NaN features are left out, i.e. missing).
    public func hashedNGrams(_ inputs: [DomainInput], appending chosen: [DomainFeature] = []) -> SparseMatrix {
        let hashing = configuration.hashing
        let columns = chosen.map(\.columnIndex)
        let tables = TableUse(chosen)
        var offsets = [0]
        offsets.reserveCapacity(inputs.count + 1)
        var indices: [UInt32] = []
        var values: [Float] = []
        indices.reserveCapacity(inputs.count * 30)
        values.reserveCapacity(inputs.count * 30)
        withUnsafeTemporaryAllocation(of: Float.self, capacity: DomainFeature.allCases.count) { row in
            for input in inputs {
                hashing.appendRow(input.label, columns: &indices, values: &values)
                if !columns.isEmpty {
                    computeAll(input, tables: tables, into: row)
                    for (offset, column) in columns.enumerated() where !row[column].isNaN {
                        indices.append(UInt32(hashing.bucketCount + offset))
                        values.append(row[column])
                    }
                }
                offsets.append(values.count)
            }
        }
        return SparseMatrix(unchecked: hashing.bucketCount + columns.count, offsets, indices, values)
    }

    /// Hashed character n-grams of labels without hosts.
    public func hashedNGrams(labels: [String]) -> SparseMatrix {
        hashedNGrams(labels.map { DomainInput(label: $0) })
    }

    // MARK: The computation

    /// Which reference tables a feature selection reads: a matrix of the accelerator's four
    /// features need not pay for word coverage or the character model.
    struct TableUse: OptionSet {
        let rawValue: Int
        static let popular = TableUse(rawValue: 1)
        static let dictionary = TableUse(rawValue: 2)
        static let characterModel = TableUse(rawValue: 4)
        static let coverage = TableUse(rawValue: 8)
        static let logit = TableUse(rawValue: 16)
        static let all: TableUse = [.popular, .dictionary, .characterModel, .coverage, .logit]

        init(rawValue: Int) { self.rawValue = rawValue }

        init(_ features: [DomainFeature]) {
            var use: TableUse = []
            for feature in features {
                switch feature {
                case .alexaGrams, .popularTrigramShare: use.insert(.popular)
                case .wordGrams, .dictionaryTrigramShare: use.insert(.dictionary)
                case .characterModel, .unigramModel, .contextGain, .characterModelTotal, .unlikelyTransitions:
                    use.insert(.characterModel)
                case .wordCoverage, .longestWord: use.insert(.coverage)
                case .ngramLogit: use.insert(.logit)
                default: break
                }
            }
            self = use
        }
    }

    /// Writes the dense features of `input` into `out` (at least `DomainFeature.allCases.count`);
    /// features of tables not in `tables` are left NaN.
    @inline(__always)
    func computeAll(_ input: DomainInput, tables: TableUse = .all, into out: UnsafeMutableBufferPointer<Float>) {
        let labelCount = input.host.map { Float(Self.labelCount(of: $0)) } ?? .nan
        LabelText.withNormalizedBytes(input.label) { bytes in
            computeAll(bytes: bytes, labelCount: labelCount, tables: tables, into: out)
        }
    }

    /// The same for a normalised label; `logitBuckets`, when given, are the label's n-gram
    /// buckets as `NGramHashing.buckets` wrote them (the batch path hashes them ahead).
    func computeAll(bytes: UnsafeBufferPointer<UInt8>, labelCount: Float, tables: TableUse,
                    into out: UnsafeMutableBufferPointer<Float>, logitBuckets: UnsafeBufferPointer<UInt32>? = nil) {
        withLookups { computeAll(bytes: bytes, labelCount: labelCount, tables: tables, into: out, logitBuckets: logitBuckets, lookups: $0) }
    }

    /// What `computeAll` reads beyond the tables' own memory, fetched once per batch by the
    /// batch path: fetched per label, the index cost a reference count up and down and the table
    /// a call to `swift_once` (a lazily initialised static), each label. Valid only inside the
    /// body of `withLookups` (it holds an unretained reference and a raw view).
    struct Lookups {
        /// The featurizer's `gramIndex`, unretained: the featurizer keeps it alive, and reading
        /// it through `_withUnsafeGuaranteedRef` costs no reference count.
        let gramIndex: Unmanaged<GramIndex>?
        /// `countLog2Count`.
        let countLog2Count: UnsafeBufferPointer<Double>
    }

    /// Runs `body` with this featurizer's `Lookups`.
    func withLookups<R>(_ body: (Lookups) -> R) -> R {
        Self.countLog2Count.withUnsafeBufferPointer { countLog2Count in
            withExtendedLifetime(gramIndex) {
                body(Lookups(gramIndex: gramIndex.map { Unmanaged.passUnretained($0) }, countLog2Count: countLog2Count))
            }
        }
    }

    /// The same, with `lookups` fetched by the caller (the batch path: once per batch).
    func computeAll(bytes: UnsafeBufferPointer<UInt8>, labelCount: Float, tables: TableUse,
                    into out: UnsafeMutableBufferPointer<Float>, logitBuckets: UnsafeBufferPointer<UInt32>?, lookups: Lookups) {
        let length = bytes.count
        var digits = 0, vowels = 0, hyphens = 0, switches = 0, rare = 0
        var run = 0, longestRun = 0, distinct = 0
        var allHex = 1  // 1 while every character so far is a hexadecimal digit
        var entropy = 0.0
        withUnsafeTemporaryAllocation(of: UInt16.self, capacity: 128) { counts in
            counts.initialize(repeating: 0)
            var previousClass = 0  // 0 other, 1 letter, 2 digit
            // Branch-free, and without overflow checks (no count of a label's bytes comes near
            // Int's range): which class a character is in is as good as random to the branch
            // predictor, so every test on it written as a branch (a switch over the class, a
            // new character counted as it came, the class change, the hexadecimal test)
            // mispredicted about once a character.
            for byte in bytes {
                let slot = Int(byte & 0x7F)
                distinct &+= counts[slot] == 0 ? 1 : 0
                counts[slot] &+= 1
                let letterIndex = UInt32(byte) &- UInt32(UInt8(ascii: "a"))
                let isLetter = letterIndex < 26
                let letterBit: UInt32 = isLetter ? 1 &<< letterIndex : 0
                let digit = UInt32(byte) &- UInt32(UInt8(ascii: "0")) < 10 ? 1 : 0
                let consonant = letterBit & ~Self.vowelBits != 0
                vowels &+= Int(truncatingIfNeeded: (letterBit & Self.vowelBits) &>> letterIndex)
                rare &+= Int(truncatingIfNeeded: (letterBit & Self.rareBits) &>> letterIndex)
                digits &+= digit
                hyphens &+= byte == UInt8(ascii: "-") ? 1 : 0
                run = consonant ? run &+ 1 : 0
                longestRun = max(longestRun, run)
                allHex &= digit | (letterBit & Self.hexLetterBits != 0 ? 1 : 0)
                let currentClass = isLetter ? 1 : digit &* 2
                // A letter next to a digit, either way: the only pair of classes whose product is 2.
                switches &+= currentClass &* previousClass == 2 ? 1 : 0
                previousClass = currentClass
            }
            if length > 0 {
                // -Σ p·log2 p = log2 L − (Σ c·log2 c) / L: one logarithm per label, the rest
                // from a table, over the characters present. A character met again finds its
                // count zeroed and adds the table's 0 · log2 0 = +0, which leaves the sum as it
                // was: no branch on whether it was met (as good as random to the predictor).
                var sum = 0.0
                let table = lookups.countLog2Count
                for byte in bytes {
                    let slot = Int(byte & 0x7F)
                    let count = Int(counts[slot])
                    sum += count < table.count ? table[count] : Double(count) * log2(Double(count))
                    counts[slot] = 0  // each character once
                }
                entropy = max(0, log2(Double(length)) - sum / Double(length))
            }
        }
        let hex = length > 0 && allHex == 1
        let size = Float(max(length, 1))
        out[DomainFeature.length.columnIndex] = Float(length)
        out[DomainFeature.entropy.columnIndex] = Float(entropy)
        // The n-gram tables and word coverage: one walk over the label when the combined index
        // exists and all three are wanted, else table by table (same values either way).
        if let gramIndex = lookups.gramIndex, tables.isSuperset(of: [.popular, .dictionary, .coverage]) {
            let grams = gramIndex._withUnsafeGuaranteedRef { $0.statistics(bytes: bytes) }
            out[DomainFeature.alexaGrams.columnIndex] = grams.popularScore
            out[DomainFeature.wordGrams.columnIndex] = grams.dictionaryScore
            out[DomainFeature.popularTrigramShare.columnIndex] = grams.popularShare
            out[DomainFeature.dictionaryTrigramShare.columnIndex] = grams.dictionaryShare
            out[DomainFeature.wordCoverage.columnIndex] = grams.coverage
            out[DomainFeature.longestWord.columnIndex] = Float(grams.longestWord)
        } else {
            writeTableFeatures(bytes: bytes, tables: tables, into: out)
        }
        if tables.contains(.characterModel) {
            let model = characterModel.statistics(bytes: bytes)
            out[DomainFeature.characterModel.columnIndex] = model.meanLog10
            out[DomainFeature.unigramModel.columnIndex] = model.unigramMeanLog10
            out[DomainFeature.contextGain.columnIndex] = model.meanLog10 - model.unigramMeanLog10
            out[DomainFeature.characterModelTotal.columnIndex] = model.totalLog10
            out[DomainFeature.unlikelyTransitions.columnIndex] = model.unlikelyShare
        } else {
            for feature in [DomainFeature.characterModel, .unigramModel, .contextGain, .characterModelTotal, .unlikelyTransitions] {
                out[feature.columnIndex] = .nan
            }
        }
        out[DomainFeature.digitRatio.columnIndex] = Float(digits) / size
        out[DomainFeature.vowelRatio.columnIndex] = Float(vowels) / size
        out[DomainFeature.longestConsonantRun.columnIndex] = Float(longestRun)
        out[DomainFeature.hexLike.columnIndex] = hex ? 1 : 0
        out[DomainFeature.distinctRatio.columnIndex] = Float(distinct) / size
        out[DomainFeature.letterDigitSwitches.columnIndex] = Float(switches)
        out[DomainFeature.hyphens.columnIndex] = Float(hyphens)
        out[DomainFeature.labelCount.columnIndex] = labelCount
        out[DomainFeature.rareLetters.columnIndex] = Float(rare) / size
        if tables.contains(.logit), let ngramLogit {
            out[DomainFeature.ngramLogit.columnIndex] = logitBuckets.map { ngramLogit.logit(buckets: $0) }
                ?? ngramLogit.logit(bytes, hashing: configuration.hashing)
        } else {
            out[DomainFeature.ngramLogit.columnIndex] = .nan
        }
    }

    /// The n-gram and word-coverage features read from each table alone (NaN for tables not in
    /// `tables`): the reference the combined index must equal, and the path when it is absent.
    func writeTableFeatures(bytes: UnsafeBufferPointer<UInt8>, tables: TableUse, into out: UnsafeMutableBufferPointer<Float>) {
        let popular = tables.contains(.popular), dictionary = tables.contains(.dictionary)
        out[DomainFeature.alexaGrams.columnIndex] = popular ? popularGrams.score(bytes: bytes) : .nan
        out[DomainFeature.wordGrams.columnIndex] = dictionary ? dictionaryGrams.score(bytes: bytes) : .nan
        out[DomainFeature.popularTrigramShare.columnIndex] = popular ? popularGrams.seenShare(bytes: bytes) : .nan
        out[DomainFeature.dictionaryTrigramShare.columnIndex] = dictionary ? dictionaryGrams.seenShare(bytes: bytes) : .nan
        let cover = tables.contains(.coverage) ? self.dictionary.cover(bytes: bytes) : (coverage: .nan, longestWord: 0)
        out[DomainFeature.wordCoverage.columnIndex] = cover.coverage
        out[DomainFeature.longestWord.columnIndex] = tables.contains(.coverage) ? Float(cover.longestWord) : .nan
    }

    /// Letters as bits (a = bit 0): the vowels a, e, i, o, u; the rare letters j, k, q, v, w,
    /// x, z; the hexadecimal letters a to f.
    private static let vowelBits: UInt32 = 1 << 0 | 1 << 4 | 1 << 8 | 1 << 14 | 1 << 20
    private static let rareBits: UInt32 = 1 << 9 | 1 << 10 | 1 << 16 | 1 << 21 | 1 << 22 | 1 << 23 | 1 << 25
    private static let hexLetterBits: UInt32 = 0x3F

    /// `c · log2 c` for the character counts of ordinary labels.
    private static let countLog2Count: [Double] = (0..<128).map { $0 == 0 ? 0 : Double($0) * log2(Double($0)) }

    /// Labels in a host name, ignoring a trailing dot and empty labels.
    static func labelCount(of host: String) -> Int {
        host.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: true).count
    }
}
