import DGAModel
import Foundation
import TestSupport

/// The accelerator's training data from `../shared/data`: alexa labels (legit) against DGA
/// domains (ioc), split 80/20 stratified with seed 42, and a featurizer fitted on the training
/// split's labels and the dictionary only, so that test labels never shaped the n-gram tables,
/// the character model or the n-gram regression. The training rows' features are computed out
/// of fold, as step 02 computes them: in-sample, `ngram_logit` would score each training label
/// with a regression fitted on it, and trees trained on that overconfident column do worse on
/// unseen names than trees without it.
struct DGATestData: Sendable {
    let labels: [String]
    /// true = ioc.
    let isIOC: [Bool]
    let split: DataSplit
    let dictionary: [String]
    let featurizer: Featurizer
    let featurizerFitSeconds: Double

    let trainLabels: [String]
    /// Every dense feature of the training rows, out of fold (5 folds).
    let trainFeatures: DenseMatrix
    let testLabels: [String]
    let trainTruth: [Bool]
    let testTruth: [Bool]

    /// Loaded once for all tests (a global `let` is initialised once, thread-safely).
    static var shared: DGATestData {
        get throws { try sharedResult.get() }
    }

    /// The label left of the public suffix, by the simple rule the brief allows in tests:
    /// drop the last label, take the last remaining one ("www.google.com" → "google");
    /// a name without dots is its own label.
    static func simpleLabel(_ host: String) -> String {
        let parts = host.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            .split(separator: ".", omittingEmptySubsequences: true)
        guard parts.count >= 2 else { return parts.first.map(String.init) ?? "" }
        return String(parts[parts.count - 2])
    }

    static func alexaLabels() throws -> [String] {
        let text = try String(contentsOf: TestPaths.sharedData.appendingPathComponent("alexa_100k.txt"), encoding: .utf8)
        var labels: [String] = []
        for line in text.split(whereSeparator: \.isNewline).dropFirst() {
            guard let comma = line.firstIndex(of: ",") else { continue }
            let label = simpleLabel(String(line[line.index(after: comma)...]))
            if !label.isEmpty { labels.append(label) }
        }
        return labels
    }

    static func dgaLabels() throws -> [String] {
        let text = try String(contentsOf: TestPaths.sharedData.appendingPathComponent("dga_domains_header.txt"), encoding: .utf8)
        return text.split(whereSeparator: \.isNewline).dropFirst().map { simpleLabel(String($0)) }.filter { !$0.isEmpty }
    }
}

private let sharedResult: Result<DGATestData, any Error> = Result { try DGATestData.build() }

extension DGATestData {
    static func build() throws -> DGATestData {
        var seen = Set<String>()
        var labels: [String] = []
        var isIOC: [Bool] = []
        for label in try alexaLabels() where seen.insert(label).inserted {
            labels.append(label)
            isIOC.append(false)
        }
        // DGA names that collide with a popular label (none expected) stay legit: one label, one class.
        for label in try dgaLabels() where seen.insert(label).inserted {
            labels.append(label)
            isIOC.append(true)
        }
        let split = try DataSplit.stratified(labels: isIOC, train: 0.8, test: 0.2, seed: 42)
        let dictionary = try DictionaryWords.load()
        let legitTrain = split.train.filter { !isIOC[$0] }.map { labels[$0] }
        let iocTrain = split.train.filter { isIOC[$0] }.map { labels[$0] }
        let start = Date()
        let featurizer = try Featurizer.fit(legitLabels: legitTrain, iocLabels: iocTrain, dictionaryWords: dictionary)
        let seconds = Date().timeIntervalSince(start)
        let trainLabels = split.train.map { labels[$0] }
        let outOfFold = try OutOfFoldFeatures.compute(labels: trainLabels, isIOC: split.train.map { isIOC[$0] }, full: featurizer,
                                                      dictionaryWords: dictionary, seed: 42)
        return DGATestData(labels: labels, isIOC: isIOC, split: split, dictionary: dictionary, featurizer: featurizer,
                           featurizerFitSeconds: seconds,
                           trainLabels: trainLabels, trainFeatures: outOfFold.dense, testLabels: split.test.map { labels[$0] },
                           trainTruth: split.train.map { isIOC[$0] }, testTruth: split.test.map { isIOC[$0] })
    }
}
