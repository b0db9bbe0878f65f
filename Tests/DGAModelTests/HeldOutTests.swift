import DGAModel
import Foundation
import Testing
import TestSupport

/// The held-out DGA generators and evaluation, and the featurizer's version-1 compatibility.
@Suite struct HeldOutTests {
    static let words = (try? DictionaryWords.load()) ?? []
    static let text = (try? String(contentsOfFile: "/usr/share/common-licenses/GPL-3", encoding: .utf8))?
        .split { !$0.isLetter }.map { $0.lowercased() } ?? []

    @Test func familiesAreSeededDistinctAndShapedAsDocumented() throws {
        for family in SyntheticDGA.Family.allCases {
            let first = try SyntheticDGA.generate(family, count: 100, seed: 3, words: Self.words, textWords: Self.text)
            let again = try SyntheticDGA.generate(family, count: 100, seed: 3, words: Self.words, textWords: Self.text)
            let other = try SyntheticDGA.generate(family, count: 100, seed: 4, words: Self.words, textWords: Self.text)
            #expect(first == again, "\(family) is not reproducible")
            #expect(first != other, "\(family) ignores the seed")
            #expect(Set(first).count == first.count && first.count == 100, "\(family)")
            #expect(first.allSatisfy { $0.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" } }, "\(family)")
        }
        let dyre = try SyntheticDGA.generate(.dyre, count: 20, seed: 1, words: Self.words, textWords: Self.text)
        #expect(dyre.allSatisfy { $0.count == 34 && $0.first!.isLetter && $0.dropFirst().allSatisfy(\.isHexDigit) })
        let tinba = try SyntheticDGA.generate(.tinba, count: 20, seed: 1, words: Self.words, textWords: Self.text)
        #expect(tinba.allSatisfy { $0.count == 12 && $0.allSatisfy(\.isLetter) })
        // Word families are made of dictionary words: suppobox labels split into two of them.
        let dictionary = Set(Self.words)
        let suppobox = try SyntheticDGA.generate(.suppobox, count: 50, seed: 1, words: Self.words, textWords: Self.text)
        #expect(suppobox.allSatisfy { label in
            (4...(label.count - 4)).contains { dictionary.contains(String(label.prefix($0))) && dictionary.contains(String(label.dropFirst($0))) }
        })
        let banjori = try SyntheticDGA.generate(.banjori, count: 20, seed: 1, words: Self.words, textWords: Self.text)
        #expect(Set(banjori.map { $0.dropFirst(4) }).count == 1, "banjori keeps its base after the first four letters")
        #expect(throws: AutoMLError.self) { try SyntheticDGA.generate(.suppobox, count: 5, seed: 1, words: ["word"], textWords: []) }
    }

    @Test func heldOutSetLeavesOutTrainingLabelsAndScoresPerFamily() throws {
        let legit = ["xiph", "gnupg", "google", "kernel", "debian"]
        let set = try HeldOutSet.build(legitLabels: legit, legitSource: "test", excluding: ["google"], dictionaryWords: Self.words,
                                       textWords: Self.text, perFamily: 10)
        #expect(!set.labels.contains("google"))
        #expect(set.isIOC.filter { !$0 }.count == 4)
        #expect(set.isIOC.filter { $0 }.count == 10 * SyntheticDGA.Family.allCases.count)
        // A scorer that flags exactly the machine-made names: AUC 1, no legit flagged.
        let perfect = try set.evaluate(probabilities: set.isIOC.map { $0 ? 0.9 : 0.1 }, threshold: 0.5)
        #expect(perfect.rocAUC == 1 && perfect.legitFlaggedShare == 0 && perfect.iocCaughtShare == 1)
        #expect(perfect.families.count == SyntheticDGA.Family.allCases.count && perfect.families.allSatisfy { $0.flagged == 10 })
        // One legit name flagged and the word families missed.
        let scores = set.labels.indices.map { index -> Double in
            if set.labels[index] == "xiph" { return 0.5 }
            if set.isIOC[index] { return SyntheticDGA.Family(rawValue: set.group[index])!.isWordBased ? 0.2 : 0.9 }
            return 0.1
        }
        let report = try set.evaluate(probabilities: scores, threshold: 0.45)
        #expect(report.legitFlagged == 1 && abs(report.legitFlaggedShare - 0.25) < 1e-12)
        #expect(report.families.filter(\.wordBased).allSatisfy { $0.flagged == 0 })
        #expect(report.rocAUC < 1 && report.rocAUCWithoutWordFamilies == 1)
        // Per family against the legit labels: a word family at 0.2 is above three legit names
        // (0.1) and below one (0.5); a character family at 0.9 above all four.
        let word = try #require(report.families.first { $0.name == "suppobox" })
        let character = try #require(report.families.first { $0.name == "tinba" })
        #expect(word.rocAUC == 0.75 && character.rocAUC == 1)
        #expect(report.metrics["heldout_roc_auc_suppobox"] == 0.75)
        #expect(report.markdown().contains("| suppobox | yes | 10 | 0.0% | 0.7500 |"))
        #expect(report.metrics["heldout_legit_flagged_share"] == 0.25)
        #expect(throws: AutoMLError.self) { try set.evaluate(probabilities: [0.5], threshold: 0.5) }
    }

    @Test func versionOneFeaturizerFilesStillLoadAndComputeTheSameFeatures() throws {
        let featurizer = try Featurizer.fit(legitLabels: ["google", "facebook", "wikipedia", "amazon"], dictionaryWords: ["face", "book", "wiki", "amazon"])
        var object = try #require(try JSONSerialization.jsonObject(with: featurizer.jsonData()) as? [String: Any])
        object["version"] = 1
        let old = try Featurizer(jsonData: JSONSerialization.data(withJSONObject: object))
        #expect(old.version == 1)
        let versionOne = Array(DomainFeature.allCases.prefix(15))
        let inputs = [DomainInput(label: "googlebook", host: "www.googlebook.com"), DomainInput(label: "xkqzjw1234", host: "xkqzjw1234.net"),
                      DomainInput(label: "a", host: "a.b.c.org")]
        #expect(old.matrix(inputs, features: versionOne) == featurizer.matrix(inputs, features: versionOne))
    }

    @Test func newFeaturesSeparateRandomFromWordyNames() throws {
        let featurizer = try Featurizer.fit(legitLabels: ["google", "facebook", "wikipedia", "amazon", "weather", "booking"],
                                            dictionaryWords: Self.words)
        let names = [DomainFeature.contextGain, .unlikelyTransitions, .rareLetters, .characterModelTotal, .unigramModel,
                     .popularTrigramShare, .dictionaryTrigramShare]
        let wordy = featurizer.features(DomainInput(label: "weatherbook"), selecting: names)
        let random = featurizer.features(DomainInput(label: "qxzvjkwpqz"), selecting: names)
        #expect(wordy[0] > random[0], "context helps words more")
        #expect(wordy[1] < random[1], "random names have more unlikely transitions")
        #expect(wordy[2] < random[2])
        #expect(wordy[3] > random[3])
        #expect(wordy[4] > random[4], "common letters are more probable")
        #expect(wordy[5] > 0.5 && random[5] == 0, "weatherbook's 3-grams are mostly in weather, booking and facebook")
        #expect(wordy[6] > random[6])
    }
}
