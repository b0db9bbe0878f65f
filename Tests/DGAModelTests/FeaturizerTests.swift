import DGAModel
import Foundation
import Testing
import TestSupport

@Suite struct FeaturizerTests {
    static func tiny() throws -> Featurizer {
        var configuration = Featurizer.Configuration()
        configuration.popularMinDocumentFrequency = 0
        configuration.dictionaryMinDocumentFrequency = 0
        configuration.hashing = NGramHashing(bucketBits: 10)
        return try Featurizer.fit(legitLabels: ["google", "facebook", "googol", "Google"], iocLabels: ["xkqzjwv", "1cb8a5f36f"],
                                  dictionaryWords: ["book", "face", "good", "go", "weather", "channel"], configuration: configuration)
    }

    @Test func handComputedFeatures() throws {
        let featurizer = try Self.tiny()
        // "goog": 3-grams goo, oog and the 4-gram goog each occur twice in {google, facebook, googol}
        // ("Google" is a duplicate once lowercased).
        #expect(featurizer.popularGrams.documentCount == 3)
        #expect(abs(featurizer.popularGrams.score("goog") - 3 * log10(2)) < 1e-6)
        #expect(abs(featurizer.popularGrams.score("GOOG") - 3 * log10(2)) < 1e-6)
        #expect(featurizer.popularGrams.logCount(of: "boo") == 0)  // once: log10(1)
        #expect(featurizer.popularGrams.logCount(of: "xyz") == nil)
        // A repeated n-gram counts each time it occurs, as CountVectorizer's transform does:
        // "googoog" holds goo, oog and goog twice each (count 2 in the corpus); ogo, oogo and
        // googo occur once in the corpus (log10 1 = 0); ogoo, oogoo and ogoog not at all.
        #expect(abs(featurizer.popularGrams.score("googoog") - 6 * log10(2)) < 1e-6)

        let row = featurizer.features(DomainInput(label: "aab12", host: "www.aab12.co.uk."))
        func value(_ feature: DomainFeature) -> Float { row[DomainFeature.allCases.firstIndex(of: feature) ?? 0] }
        #expect(value(.length) == 5)
        let entropy = -(0.4 * log2(0.4) + 3 * 0.2 * log2(0.2))
        #expect(abs(Double(value(.entropy)) - entropy) < 1e-5)
        #expect(value(.digitRatio) == 0.4)
        #expect(value(.vowelRatio) == 0.4)
        #expect(value(.longestConsonantRun) == 1)
        #expect(value(.hexLike) == 1)
        #expect(value(.distinctRatio) == 0.8)
        #expect(value(.letterDigitSwitches) == 1)
        #expect(value(.labelCount) == 4)
        #expect(featurizer.features(DomainInput(label: "aab12"))[DomainFeature.labelCount.columnIndex].isNaN)
        #expect(featurizer.features(DomainInput(label: "aag12"))[DomainFeature.hexLike.columnIndex] == 0)
        #expect(featurizer.features(DomainInput(label: "my-site"))[DomainFeature.hyphens.columnIndex] == 1)
    }

    @Test func wordCoverageFindsTheBestCover() throws {
        let featurizer = try Self.tiny()
        #expect(featurizer.dictionary.cover("facebook") == (1, 4))
        #expect(featurizer.dictionary.cover("weatherchannel") == (1, 7))
        #expect(abs(featurizer.dictionary.cover("goodx").coverage - 0.8) < 1e-6)
        // "go" is below the three-letter minimum.
        #expect(featurizer.dictionary.cover("gogo") == (0, 0))
        #expect(featurizer.dictionary.cover("") == (0, 0))
        // Overlapping candidates: the cover takes the larger disjoint set ("book" + "face" in "bookface").
        #expect(featurizer.dictionary.cover("bookface").coverage == 1)
    }

    @Test func characterModelPrefersNamesLikeItsTrainingText() throws {
        let data = try DGATestData.shared
        let model = data.featurizer.characterModel
        #expect(model.meanLogProbability("weather") > model.meanLogProbability("xkqzjwv"))
        #expect(model.meanLogProbability("google") > model.meanLogProbability("1cb8a5f36f"))
        #expect(model.meanLogProbability("") < 0)
    }

    @Test func emptyAndOddLabelsGiveFiniteFeatures() throws {
        let featurizer = try Self.tiny()
        for label in ["", " ", "é", "ÅNGSTRÖM", "a", "--", String(repeating: "x", count: 300), "xn--bcher-kva", "under_score."] {
            let row = featurizer.features(DomainInput(label: label, host: label))
            let finite = row.allSatisfy { $0.isFinite }
            #expect(finite, "\(label): \(row)")
        }
        #expect(featurizer.features(DomainInput(label: " Google. "), selecting: DomainFeature.accelerator)
                == featurizer.features(DomainInput(label: "google"), selecting: DomainFeature.accelerator))
    }

    @Test func jsonRoundTripGivesIdenticalFeatures() throws {
        let data = try DGATestData.shared
        let featurizer = data.featurizer
        let directory = try TemporaryDirectory("dga-featurizer")
        let path = directory.file("featurizer.json")
        try featurizer.write(to: path)
        let loaded = try Featurizer(contentsOf: path)
        let sample = Array(data.testLabels.prefix(3000)) + ["", "é-x", "facebook"]
        let inputs = sample.map { DomainInput(label: $0, host: "www.\($0).com") }
        let before = featurizer.matrix(inputs)
        let after = loaded.matrix(inputs)
        #expect(before.values.elementsEqual(after.values) { $0 == $1 || ($0.isNaN && $1.isNaN) })
        #expect(featurizer.hashedNGrams(inputs) == loaded.hashedNGrams(inputs))
        #expect(try loaded.fingerprint() == featurizer.fingerprint())
        #expect(try loaded.jsonData() == featurizer.jsonData())
        let size = (try FileManager.default.attributesOfItem(atPath: path.path)[.size] as? Int) ?? 0
        print("featurizer JSON: \(size / 1024) KiB; \(featurizer.popularGrams.count) popular n-grams, \(featurizer.dictionaryGrams.count) dictionary n-grams, \(featurizer.dictionary.count) words; fitted in \(String(format: "%.2f", data.featurizerFitSeconds)) s")
    }

    @Test func scaledTableWeighsEachCountTimesTheScale() throws {
        let table = try NGramTable.fit(documents: ["google", "googol", "goggles", "facebook"], minDocumentFrequency: 0)
        let scaled = try table.scaled(toDocumentCount: 8)  // fitted on 4: counts × 2
        #expect(scaled.countScale == 2)
        #expect(table.countScale == 1)
        // "goo" occurs twice, "oog" twice: log10(2) each unscaled, log10(4) scaled.
        #expect(abs((table.logCount(of: "goo") ?? 0) - log10(2)) < 1e-6)
        #expect(abs((scaled.logCount(of: "goo") ?? 0) - log10(4)) < 1e-6)
        let matched = 3  // goo, oog and goog, each counted twice
        #expect(abs(scaled.score("goog") - table.score("goog") - Double(matched) * log10(2)) < 1e-5)
        #expect(scaled.score("zzzz") == 0)
        // The scale survives JSON; a fitted table's JSON has no scale key, as before.
        let decoded = try JSONDecoder().decode(NGramTable.self, from: JSONEncoder().encode(scaled))
        #expect(decoded.countScale == 2)
        #expect(decoded.score("googles") == scaled.score("googles"))
        #expect(!String(decoding: try JSONEncoder().encode(table), as: UTF8.self).contains("countScale"))
        #expect(throws: FeaturizerError.self) { try table.scaled(toDocumentCount: 0) }
    }

    @Test func otherVersionsAndOtherFilesAreRefused() throws {
        let featurizer = try Self.tiny()
        var object = try #require(try JSONSerialization.jsonObject(with: featurizer.jsonData()) as? [String: Any])
        object["version"] = Featurizer.currentVersion + 1
        #expect(throws: FeaturizerError.unsupportedVersion(found: Featurizer.currentVersion + 1, supported: Featurizer.currentVersion)) {
            try Featurizer(jsonData: JSONSerialization.data(withJSONObject: object))
        }
        object["version"] = Featurizer.currentVersion
        object["format"] = "something-else"
        #expect(throws: FeaturizerError.notAFeaturizer("format is 'something-else', expected 'runme-dga-featurizer'")) {
            try Featurizer(jsonData: JSONSerialization.data(withJSONObject: object))
        }
        #expect(throws: FeaturizerError.self) { try Featurizer(jsonData: Data("[1, 2]".utf8)) }
        #expect(throws: FeaturizerError.self) { try Featurizer(contentsOf: URL(fileURLWithPath: "/nonexistent/featurizer.json")) }
        #expect(throws: FeaturizerError.emptyReference("no documents to count n-grams in")) {
            try Featurizer.fit(legitLabels: [], dictionaryWords: ["word"])
        }
    }

    @Test func hashedNGramsAreUnitRowsWithSortedColumns() throws {
        let featurizer = try Self.tiny()
        let labels = ["google", "1cb8a5f36f", "", "aaaa"]
        let matrix = featurizer.hashedNGrams(labels: labels)
        #expect(matrix.rowCount == 4)
        #expect(matrix.columnCount == 1024)
        for row in 0..<matrix.rowCount {
            let range = matrix.rowOffsets[row]..<matrix.rowOffsets[row + 1]
            let columns = Array(matrix.columnIndices[range])
            #expect(columns == columns.sorted() && Set(columns).count == columns.count)
            let norm = matrix.values[range].reduce(0) { $0 + $1 * $1 }
            #expect(abs(norm - 1) < 1e-5)
        }
        // "^aaaa$": 2-grams ^a aa aa aa a$ → aa three times; the row is not just ones.
        let aaaa = matrix.values[matrix.rowOffsets[3]..<matrix.rowOffsets[4]]
        #expect(Set(aaaa).count > 1)
        let withDense = featurizer.hashedNGrams(labels.map { DomainInput(label: $0) }, appending: DomainFeature.accelerator)
        #expect(withDense.columnCount == 1024 + 4)
        #expect(withDense.columnIndices[withDense.rowOffsets[1] - 1] == 1024 + 3)
    }

    @Test func featureListIsDocumentedAndInColumnOrder() throws {
        #expect(Featurizer.names(of: DomainFeature.accelerator) == ["length", "entropy", "alexa_grams", "word_grams"])
        for (index, feature) in DomainFeature.allCases.enumerated() {
            #expect(feature.columnIndex == index)
        }
        // RUNME.md documents each feature in one line, in column order: the list there is the
        // featurizer's, neither a feature more nor one less.
        let guide = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("RUNME.md"), encoding: .utf8)
        let section = try #require(guide.components(separatedBy: "### Features (featurizer version 3)").dropFirst().first?
            .components(separatedBy: "\n#").first)
        let documented = section.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("- `"), let end = line.dropFirst(3).firstIndex(of: "`") else { return nil }
            return String(line[line.index(line.startIndex, offsetBy: 3)..<end])
        }
        #expect(documented == Featurizer.names(of: DomainFeature.allCases))
    }

    /// The accelerator's n-gram features against scikit-learn's CountVectorizer on the same
    /// documents: the meaning of `alexa_counts * vc.transform([domain]).T`, reproduced.
    @Test func acceleratorFeaturesAgreeWithScikitLearn() throws {
        let data = try DGATestData.shared
        let popular = Array(zip(data.trainLabels, data.trainTruth).filter { !$0.1 }.map(\.0).prefix(20_000))
        let words = data.dictionary.filter { $0.unicodeScalars.allSatisfy(\.isASCII) }
        let probes = Array(data.testLabels.prefix(300)) + ["facebook", "1cb8a5f36f", "a17btkyb38gxe41pwd50nxmzjxiwjwdwfrp52", "ab"]
        let popularTable = try NGramTable.fit(documents: popular, minDocumentFrequency: 1e-4)
        let wordTable = try NGramTable.fit(documents: words, minDocumentFrequency: 1e-5)

        let directory = try TemporaryDirectory("dga-sklearn")
        let input = directory.file("input.json")
        try JSONSerialization.data(withJSONObject: ["popular": Array(Set(popular)).sorted(), "words": words, "probes": probes]).write(to: input)
        let output = try LocalServers.runPython(Self.countVectorizerScript, arguments: [input.path], timeout: 300)
        guard !output.contains("MISSING_SKLEARN") else {
            Issue.record("scikit-learn is missing: pip install scikit-learn (scripts/install-dependencies --test does it)")
            return
        }
        let expected = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: [Double]])
        let alexa = try #require(expected["alexa_grams"])
        let word = try #require(expected["word_grams"])
        let entropy = try #require(expected["entropy"])
        #expect(Int(try #require(expected["vocabulary"]?.first)) == popularTable.count)
        for (index, probe) in probes.enumerated() {
            #expect(abs(popularTable.score(probe) - alexa[index]) < 1e-4 * max(1, alexa[index]), "alexa_grams of \(probe)")
            #expect(abs(wordTable.score(probe) - word[index]) < 1e-4 * max(1, word[index]), "word_grams of \(probe)")
            let ours = data.featurizer.features(DomainInput(label: probe), selecting: [.entropy])[0]
            #expect(abs(Double(ours) - entropy[index]) < 1e-5, "entropy of \(probe)")
        }
    }

    static let countVectorizerScript = #"""
    import json, math, sys
    from collections import Counter
    try:
        import numpy as np
        from sklearn.feature_extraction.text import CountVectorizer
    except ImportError:
        print("MISSING_SKLEARN")
        sys.exit(0)
    data = json.load(open(sys.argv[1]))
    alexa_vc = CountVectorizer(analyzer='char', ngram_range=(3, 5), min_df=1e-4, max_df=1.0)
    counts_matrix = alexa_vc.fit_transform(data["popular"])
    alexa_counts = np.log10(counts_matrix.sum(axis=0).getA1())
    dict_vc = CountVectorizer(analyzer='char', ngram_range=(3, 5), min_df=1e-5, max_df=1.0)
    counts_matrix = dict_vc.fit_transform(data["words"])
    dict_counts = np.log10(counts_matrix.sum(axis=0).getA1())
    probes = data["probes"]
    def entropy(s):
        p, n = Counter(s), float(len(s))
        return -sum(c / n * math.log(c / n, 2) for c in p.values())
    print(json.dumps({
        "alexa_grams": [float(x) for x in alexa_counts * alexa_vc.transform(probes).T],
        "word_grams": [float(x) for x in dict_counts * dict_vc.transform(probes).T],
        "entropy": [entropy(p) for p in probes],
        "vocabulary": [len(alexa_vc.vocabulary_)],
    }))
    """#
}
