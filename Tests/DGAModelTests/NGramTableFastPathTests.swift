@testable import DGAModel
import Foundation
import TestSupport
import Testing

/// The n-gram score's dense 3-gram path gives exactly the hash-only score (same weights, same
/// summation order), on real labels: the featurizer's outputs do not change.
@Suite struct NGramTableFastPathTests {
    @Test func denseTriplesGiveTheHashScoreExactly() throws {
        let alexa = try String(contentsOf: TestPaths.sharedData.appendingPathComponent("alexa_100k.txt"), encoding: .utf8)
        let dga = try String(contentsOf: TestPaths.sharedData.appendingPathComponent("dga_domains_header.txt"), encoding: .utf8)
        var labels: [String] = []
        for line in alexa.split(whereSeparator: \.isNewline).dropFirst() {
            guard let comma = line.firstIndex(of: ",") else { continue }
            labels.append(AutoMLFixture.label(String(line[line.index(after: comma)...])))
        }
        let dgaLines: [Substring] = dga.split(whereSeparator: \.isNewline)
        labels += dgaLines.dropFirst().map { AutoMLFixture.label(String($0)) }
        labels += ["", "a", "ab", "abc", "bücher", "xn--80ak6aa92e", "--", "_dmarc", String(repeating: "go", count: 40), "ÿÿÿ"]
        let words = try DictionaryWords.load()
        let tables = [
            try NGramTable.fit(documents: Array(labels.prefix(20_000)), minN: 3, maxN: 5, minDocumentFrequency: 1e-4),
            try NGramTable.fit(documents: words, minN: 3, maxN: 5, minDocumentFrequency: 1e-5),
        ]
        for table in tables {
            var nonzero = 0
            for label in labels {
                LabelText.withNormalizedBytes(label) { bytes in
                    let fast = table.score(bytes: bytes)
                    let reference = table.scoreByHash(bytes: bytes)
                    #expect(fast.bitPattern == reference.bitPattern, "\(label): \(fast) vs \(reference)")
                    if fast != 0 { nonzero += 1 }
                }
            }
            #expect(nonzero > labels.count / 2)
        }
    }
}
