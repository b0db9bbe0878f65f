import Foundation

/// A smoothed character trigram language model of legitimate names: how much a label reads
/// like the popular domains and dictionary words it was fitted on. Machine-made names (hashes,
/// random consonant strings) get far lower probabilities per character.
///
/// Characters fall into 40 symbols: a boundary marker, `a`–`z`, `0`–`9`, `-`, `_`, and one for
/// everything else. Probabilities back off recursively with a Dirichlet prior of weight
/// `concentration`:
/// `P(c|ab) = (C(abc) + k·P(c|b)) / (C(ab·) + k)`, `P(c|b) = (C(bc) + k·P(c)) / (C(b·) + k)`,
/// `P(c) = (C(c) + 1) / (N + 40)`, all counts taken from the trigram counts.
public struct CharacterModel: Sendable {
    static let symbolCount = 40
    static let boundary = 0
    static let other = 39
    /// One printable character per symbol, for the JSON form: `^` is the boundary, `*` other.
    static let alphabet: [Character] = Array("^abcdefghijklmnopqrstuvwxyz0123456789-_*")

    /// Weight of the lower-order estimate in each back-off step.
    public let concentration: Double
    /// Trigram counts, indexed `(a * 40 + b) * 40 + c`.
    let trigramCounts: [UInt32]
    /// `log10 P(c | a b)`, same indexing.
    let logProbabilities: [Float]
    /// `log10 P(c)`, the smoothed unigram model, by symbol.
    let unigramLogProbabilities: [Float]

    /// A trigram probability below this counts as an unlikely transition (`CharacterStatistics`).
    static let unlikelyLog10: Float = -2

    /// Fits the model on `texts` (each padded with two boundary symbols before and one after).
    public static func fit(texts: [String], concentration: Double = 5) throws -> CharacterModel {
        guard concentration > 0 else { throw FeaturizerError.invalidConfiguration("character model concentration must be > 0") }
        var counts = [UInt32](repeating: 0, count: symbolCount * symbolCount * symbolCount)
        for text in texts {
            LabelText.withNormalizedBytes(text) { bytes in
                guard !bytes.isEmpty else { return }
                var a = boundary
                var b = boundary
                for byte in bytes {
                    let c = Int(symbol(byte))
                    counts[(a * symbolCount + b) * symbolCount + c] &+= 1
                    a = b
                    b = c
                }
                counts[(a * symbolCount + b) * symbolCount + boundary] &+= 1
            }
        }
        return try CharacterModel(concentration: concentration, trigramCounts: counts)
    }

    init(concentration: Double, trigramCounts: [UInt32]) throws {
        let n = Self.symbolCount
        guard trigramCounts.count == n * n * n else {
            throw FeaturizerError.invalidReference("character model needs \(n * n * n) trigram counts, found \(trigramCounts.count)")
        }
        guard concentration > 0, concentration.isFinite else {
            throw FeaturizerError.invalidReference("character model concentration \(concentration)")
        }
        self.concentration = concentration
        self.trigramCounts = trigramCounts
        var bigram = [Double](repeating: 0, count: n * n)
        var unigram = [Double](repeating: 0, count: n)
        for a in 0..<n {
            for b in 0..<n {
                for c in 0..<n {
                    let count = Double(trigramCounts[(a * n + b) * n + c])
                    bigram[b * n + c] += count
                    unigram[c] += count
                }
            }
        }
        let total = unigram.reduce(0, +)
        var bigramContext = [Double](repeating: 0, count: n)
        for b in 0..<n { for c in 0..<n { bigramContext[b] += bigram[b * n + c] } }
        let k = concentration
        var logs = [Float](repeating: 0, count: n * n * n)
        for a in 0..<n {
            for b in 0..<n {
                var context = 0.0
                for c in 0..<n { context += Double(trigramCounts[(a * n + b) * n + c]) }
                for c in 0..<n {
                    let p1 = (unigram[c] + 1) / (total + Double(n))
                    let p2 = (bigram[b * n + c] + k * p1) / (bigramContext[b] + k)
                    let p3 = (Double(trigramCounts[(a * n + b) * n + c]) + k * p2) / (context + k)
                    logs[(a * n + b) * n + c] = Float(log10(p3))
                }
            }
        }
        logProbabilities = logs
        unigramLogProbabilities = (0..<n).map { Float(log10((unigram[$0] + 1) / (total + Double(n)))) }
    }

    /// Mean `log10` probability per character of `label`, the end of the label included.
    public func meanLogProbability(_ label: String) -> Double {
        LabelText.withNormalizedBytes(label) { Double(meanLogProbability(bytes: $0)) }
    }

    @inline(__always)
    func meanLogProbability(bytes: UnsafeBufferPointer<UInt8>) -> Float {
        let n = Self.symbolCount
        return logProbabilities.withUnsafeBufferPointer { logs in
            var a = Self.boundary
            var b = Self.boundary
            var sum: Float = 0
            for byte in bytes {
                let c = Int(Self.symbol(byte))
                sum += logs[(a * n + b) * n + c]
                a = b
                b = c
            }
            sum += logs[(a * n + b) * n + Self.boundary]
            return sum / Float(bytes.count + 1)
        }
    }

    /// Everything the model says about one label, in one pass (see `CharacterStatistics`).
    @inline(__always)
    func statistics(bytes: UnsafeBufferPointer<UInt8>) -> CharacterStatistics {
        let n = Self.symbolCount
        return logProbabilities.withUnsafeBufferPointer { logs in
            unigramLogProbabilities.withUnsafeBufferPointer { unigram in
                var a = Self.boundary
                var b = Self.boundary
                var sum: Float = 0
                var unigramSum: Float = 0
                var unlikely = 0
                for byte in bytes {
                    let c = Int(Self.symbol(byte))
                    let value = logs[(a * n + b) * n + c]
                    sum += value
                    unlikely &+= value < Self.unlikelyLog10 ? 1 : 0
                    unigramSum += unigram[c]
                    a = b
                    b = c
                }
                let end = logs[(a * n + b) * n + Self.boundary]
                sum += end
                unigramSum += unigram[Self.boundary]
                let count = Float(bytes.count + 1)
                return CharacterStatistics(meanLog10: sum / count, totalLog10: sum, unigramMeanLog10: unigramSum / count,
                                           unlikelyShare: bytes.isEmpty ? 0 : Float(unlikely) / Float(bytes.count))
            }
        }
    }

    /// A character's symbol: a–z 1…26, 0–9 27…36, `-` 37, `_` 38, anything else ``other``.
    /// Selected without branches (which range a character of a machine-made name falls in is
    /// as good as random to the branch predictor; a `switch` mispredicted on digits).
    @inline(__always)
    static func symbol(_ byte: UInt8) -> UInt8 {
        var symbol = UInt8(other)
        symbol = byte == UInt8(ascii: "-") ? 37 : symbol
        symbol = byte == UInt8(ascii: "_") ? 38 : symbol
        symbol = byte &- UInt8(ascii: "0") < 10 ? byte &- UInt8(ascii: "0") &+ 27 : symbol
        symbol = byte &- UInt8(ascii: "a") < 26 ? byte &- UInt8(ascii: "a") &+ 1 : symbol
        return symbol
    }
}

/// A label under the character model: how probable it is with and without context.
struct CharacterStatistics {
    /// Mean log10 trigram probability per character, the end included (`char_lm`).
    var meanLog10: Float
    /// Total log10 trigram probability (`char_lm_total`): long random names fall far lower.
    var totalLog10: Float
    /// Mean log10 unigram probability per character, the end included (`char_unigram`).
    var unigramMeanLog10: Float
    /// Share of characters whose trigram probability is below 1% (`unlikely_transitions`).
    var unlikelyShare: Float
}

extension CharacterModel: Codable {
    private enum CodingKeys: String, CodingKey {
        case order, concentration, alphabet, trigramCounts
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let order = try container.decode(Int.self, forKey: .order)
        let alphabet = try container.decode(String.self, forKey: .alphabet)
        guard order == 3, Array(alphabet) == Self.alphabet else {
            throw FeaturizerError.invalidReference("character model of order \(order) over '\(alphabet)' is not the trigram model this version reads")
        }
        let sparse = try container.decode([String: UInt32].self, forKey: .trigramCounts)
        var counts = [UInt32](repeating: 0, count: Self.symbolCount * Self.symbolCount * Self.symbolCount)
        let index = Dictionary(uniqueKeysWithValues: Self.alphabet.enumerated().map { ($1, $0) })
        for (gram, count) in sparse {
            let symbols = gram.compactMap { index[$0] }
            guard symbols.count == 3, gram.count == 3 else {
                throw FeaturizerError.invalidReference("character trigram '\(gram)' is not three known symbols")
            }
            counts[(symbols[0] * Self.symbolCount + symbols[1]) * Self.symbolCount + symbols[2]] = count
        }
        try self.init(concentration: container.decode(Double.self, forKey: .concentration), trigramCounts: counts)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(3, forKey: .order)
        try container.encode(concentration, forKey: .concentration)
        try container.encode(String(Self.alphabet), forKey: .alphabet)
        var sparse: [String: UInt32] = [:]
        let n = Self.symbolCount
        for (offset, count) in trigramCounts.enumerated() where count > 0 {
            let gram = [Self.alphabet[offset / (n * n)], Self.alphabet[(offset / n) % n], Self.alphabet[offset % n]]
            sparse[String(gram)] = count
        }
        try container.encode(sparse, forKey: .trigramCounts)
    }
}
