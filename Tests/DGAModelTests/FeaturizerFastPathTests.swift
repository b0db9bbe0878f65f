@testable import DGAModel
import Foundation
import TestSupport
import Testing

/// The featurizer's fast path (the combined n-gram and word index, `GramIndex`) against the
/// tables read one by one, bit for bit, and all the features against a plain reference written
/// here from the definitions, on the real alexa and DGA lists with a featurizer fitted on real
/// tables (alexa training labels and the system dictionary).
@Suite struct FeaturizerFastPathTests {
    /// Real inputs: alexa hosts and DGA domains with their labels, and odd labels.
    static func inputs() throws -> [DomainInput] {
        let alexa = try String(contentsOf: TestPaths.sharedData.appendingPathComponent("alexa_100k.txt"), encoding: .utf8)
        let dga = try String(contentsOf: TestPaths.sharedData.appendingPathComponent("dga_domains_header.txt"), encoding: .utf8)
        var inputs: [DomainInput] = []
        for line in alexa.split(whereSeparator: \.isNewline).dropFirst() {
            guard let comma = line.firstIndex(of: ",") else { continue }
            let host = String(line[line.index(after: comma)...])
            inputs.append(DomainInput(label: DGATestData.simpleLabel(host), host: host))
        }
        for line in dga.split(whereSeparator: \.isNewline).dropFirst() {
            let host = String(line).trimmingCharacters(in: .whitespaces)
            inputs.append(DomainInput(label: DGATestData.simpleLabel(host)))
        }
        inputs += ["", "a", "ab", "abc", "Bücher", "xn--80ak6aa92e", "--", "_dmarc", "  WWW.", "weatherchannel",
                   "internationalization", String(repeating: "go", count: 40), "ÿÿÿ", "a1b2c3", "deadbeef"].map { DomainInput(label: $0) }
        return inputs
    }

    @Test func combinedIndexEqualsTheTablesBitForBit() throws {
        let featurizer = try DGATestData.shared.featurizer
        #expect(featurizer.gramIndex != nil, "a fitted featurizer must get the combined index")
        let gramFeatures: [DomainFeature] = [.alexaGrams, .wordGrams, .popularTrigramShare, .dictionaryTrigramShare, .wordCoverage, .longestWord]
        var nonzero = [Int](repeating: 0, count: gramFeatures.count)
        var row = [Float](repeating: .nan, count: DomainFeature.allCases.count)
        var differences: [String] = []
        for input in try Self.inputs() {
            let fast = featurizer.features(input)
            row.withUnsafeMutableBufferPointer { out in
                LabelText.withNormalizedBytes(input.label) { featurizer.writeTableFeatures(bytes: $0, tables: .all, into: out) }
            }
            for (offset, feature) in gramFeatures.enumerated() {
                let a = fast[feature.columnIndex], b = row[feature.columnIndex]
                if a.bitPattern != b.bitPattern { differences.append("\(input.label) \(feature.rawValue): \(a) vs \(b)") }
                if a != 0 { nonzero[offset] += 1 }
            }
        }
        #expect(differences.isEmpty, "\(differences.count) differences: \(differences.prefix(5))")
        // Every feature is exercised (not zero everywhere).
        #expect(nonzero.allSatisfy { $0 > 1000 }, "\(nonzero)")
    }

    @Test func allFeaturesEqualAPlainReference() throws {
        let data = try DGATestData.shared
        let featurizer = data.featurizer
        let reference = Reference(featurizer)
        // Every third alexa host (a debug build's reference is slow), every DGA name, the odd ones.
        let inputs = try Self.inputs()
        let sample = inputs.enumerated().filter { $0.offset % 3 == 0 || $0.element.host == nil }.map(\.element)
        #expect(sample.count > 35_000)
        var failures: [String] = []
        var wordsFound = 0
        for input in sample {
            let fast = featurizer.features(input)
            let expected = reference.features(input)
            if expected[DomainFeature.longestWord.columnIndex] >= 5 { wordsFound += 1 }
            for feature in DomainFeature.allCases {
                let a = Double(fast[feature.columnIndex]), b = expected[feature.columnIndex]
                let same = (a.isNaN && b.isNaN) || abs(a - b) <= 1e-5 * max(1, abs(b))
                if !same { failures.append("\(input.label) \(feature.rawValue): \(a) vs reference \(b)") }
            }
        }
        #expect(failures.isEmpty, "\(failures.count) differences: \(failures.prefix(5))")
        #expect(wordsFound > 10_000)
    }
}

/// The features computed the plain way from their definitions and the featurizer's fitted
/// counts: strings, dictionaries and sets, doubles, every n-gram enumerated.
private struct Reference {
    let popular: [String: Double]
    let dictionary: [String: Double]
    let words: Set<String>
    let logProbabilities: [Double]
    let unigramLog: [Double]
    let symbols = Array("^abcdefghijklmnopqrstuvwxyz0123456789-_*")
    /// For `ngram_logit`: the regression's weights over the hashed rows the linear trials read.
    let featurizer: Featurizer

    init(_ featurizer: Featurizer) {
        self.featurizer = featurizer
        func weights(_ table: NGramTable) -> [String: Double] {
            Dictionary(uniqueKeysWithValues: zip(table.grams, table.counts).map { ($0, log10(Double($1))) })
        }
        popular = weights(featurizer.popularGrams)
        dictionary = weights(featurizer.dictionaryGrams)
        words = Set(featurizer.dictionary.words.filter { $0.count >= featurizer.dictionary.minimumWordLength })
        // The Dirichlet back-off model from the trigram counts.
        let counts = featurizer.characterModel.trigramCounts.map(Double.init)
        let n = 40, k = featurizer.characterModel.concentration
        var bigram = [Double](repeating: 0, count: n * n), unigram = [Double](repeating: 0, count: n)
        var context = [Double](repeating: 0, count: n * n), bigramContext = [Double](repeating: 0, count: n)
        for a in 0..<n { for b in 0..<n { for c in 0..<n {
            let count = counts[(a * n + b) * n + c]
            bigram[b * n + c] += count
            unigram[c] += count
            context[a * n + b] += count
            bigramContext[b] += count
        } } }
        let total = unigram.reduce(0, +)
        var logs = [Double](repeating: 0, count: n * n * n)
        for a in 0..<n { for b in 0..<n { for c in 0..<n {
            let p1 = (unigram[c] + 1) / (total + Double(n))
            let p2 = (bigram[b * n + c] + k * p1) / (bigramContext[b] + k)
            logs[(a * n + b) * n + c] = log10((counts[(a * n + b) * n + c] + k * p2) / (context[a * n + b] + k))
        } } }
        logProbabilities = logs
        unigramLog = (0..<n).map { log10((unigram[$0] + 1) / (total + Double(n))) }
    }

    /// Lowercase ASCII, `*` for anything else, surrounding whitespace and dots dropped.
    func normalized(_ label: String) -> [Character] {
        let mapped = label.unicodeScalars.map { $0.isASCII ? Character($0).lowercased().first ?? "*" : "*" }
        var text = mapped[...]
        while let first = text.first, " \t\n\r.".contains(first) { text = text.dropFirst() }
        while let last = text.last, " \t\n\r.".contains(last) { text = text.dropLast() }
        return Array(text)
    }

    func symbol(_ character: Character) -> Int {
        symbols.firstIndex(of: character).map { $0 == 0 ? 39 : $0 } ?? 39
    }

    func features(_ input: DomainInput) -> [Double] {
        let text = normalized(input.label)
        let length = text.count
        let size = Double(max(length, 1))
        var out = [Double](repeating: .nan, count: DomainFeature.allCases.count)
        func set(_ feature: DomainFeature, _ value: Double) { out[feature.columnIndex] = value }
        set(.length, Double(length))
        var frequencies: [Character: Int] = [:]
        for character in text { frequencies[character, default: 0] += 1 }
        set(.entropy, length == 0 ? 0 : max(0, -frequencies.values.reduce(0.0) { $0 + Double($1) / Double(length) * log2(Double($1) / Double(length)) }))
        func grams(_ n: Int) -> [String] { length < n ? [] : (0...(length - n)).map { String(text[$0..<($0 + n)]) } }
        let all = (3...5).flatMap(grams)
        set(.alexaGrams, all.reduce(0) { $0 + (popular[$1] ?? 0) })
        set(.wordGrams, all.reduce(0) { $0 + (dictionary[$1] ?? 0) })
        let triples = grams(3)
        set(.popularTrigramShare, triples.isEmpty ? 0 : Double(triples.filter { popular[$0] != nil }.count) / Double(triples.count))
        set(.dictionaryTrigramShare, triples.isEmpty ? 0 : Double(triples.filter { dictionary[$0] != nil }.count) / Double(triples.count))
        // Best cover by non-overlapping words: best[i] over the first i characters.
        var best = [Int](repeating: 0, count: length + 1)
        var longest = 0
        if length > 0 {
            for end in 1...length {
                best[end] = best[end - 1]
                for start in 0..<end where words.contains(String(text[start..<end])) {
                    best[end] = max(best[end], best[start] + end - start)
                    longest = max(longest, end - start)
                }
            }
        }
        set(.wordCoverage, length == 0 ? 0 : Double(best[length]) / Double(length))
        set(.longestWord, Double(longest))
        // Character model: two boundary symbols before, one after.
        let path = [0, 0] + text.map(symbol) + [0]
        var sum = 0.0, unigramSum = 0.0, unlikely = 0
        for index in 2..<path.count {
            let value = logProbabilities[(path[index - 2] * 40 + path[index - 1]) * 40 + path[index]]
            sum += value
            unigramSum += unigramLog[path[index]]
            if index < path.count - 1 && value < -2 { unlikely += 1 }
        }
        set(.characterModel, sum / Double(length + 1))
        set(.unigramModel, unigramSum / Double(length + 1))
        set(.contextGain, sum / Double(length + 1) - unigramSum / Double(length + 1))
        set(.characterModelTotal, sum)
        set(.unlikelyTransitions, length == 0 ? 0 : Double(unlikely) / Double(length))
        // Character classes.
        func isVowel(_ c: Character) -> Bool { "aeiou".contains(c) }
        func isLetter(_ c: Character) -> Bool { c >= "a" && c <= "z" }
        func isDigit(_ c: Character) -> Bool { c >= "0" && c <= "9" }
        set(.digitRatio, Double(text.filter(isDigit).count) / size)
        set(.vowelRatio, Double(text.filter(isVowel).count) / size)
        var run = 0, longestRun = 0
        for c in text {
            run = isLetter(c) && !isVowel(c) ? run + 1 : 0
            longestRun = max(longestRun, run)
        }
        set(.longestConsonantRun, Double(longestRun))
        set(.hexLike, length > 0 && text.allSatisfy { isDigit($0) || ("a"..."f").contains($0) } ? 1 : 0)
        set(.distinctRatio, Double(Set(text).count) / size)
        var switches = 0
        var previous: Character?
        for c in text {
            if let p = previous, (isLetter(p) && isDigit(c)) || (isDigit(p) && isLetter(c)) { switches += 1 }
            previous = isLetter(c) || isDigit(c) ? c : nil
        }
        set(.letterDigitSwitches, Double(switches))
        set(.hyphens, Double(text.filter { $0 == "-" }.count))
        set(.labelCount, input.host.map { Double($0.split(separator: ".", omittingEmptySubsequences: true).count) } ?? .nan)
        set(.rareLetters, Double(text.filter { "jkqvwxz".contains($0) }.count) / size)
        // The regression's weights times the label's hashed row (its sorted, counted, unit-length
        // n-gram buckets), plus the bias, in doubles.
        if let logit = featurizer.ngramLogit {
            let row = featurizer.hashedNGrams(labels: [input.label])
            var value = Double(logit.bias)
            for position in row.rowOffsets[0]..<row.rowOffsets[1] {
                value += Double(row.values[position]) * Double(logit.weight(bucket: Int(row.columnIndices[position])))
            }
            set(.ngramLogit, value)
        }
        return out
    }
}
