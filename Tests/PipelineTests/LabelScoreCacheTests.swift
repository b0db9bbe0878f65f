import Foundation
@testable import Pipeline
import TestSupport
import Testing

/// ``LabelScoreCache`` against a dictionary, on the labels of real names: every label is
/// found again with its score, labels differ by their bytes (case, length, Unicode), and
/// dropping the newest entries leaves the older ones findable.
@Suite struct LabelScoreCacheTests {
    /// The first labels (left of the first dot) of the alexa list and of the DGA list.
    static func labels() throws -> [String] {
        var labels: [String] = []
        for file in ["alexa_100k.txt", "dga_domains_header.txt"] {
            let text = try String(contentsOf: TestPaths.sharedData.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(whereSeparator: \.isNewline) {
                let name = line.split(separator: ",").last.map(String.init) ?? ""
                if let label = name.split(separator: ".").first { labels.append(String(label)) }
            }
        }
        return labels
    }

    @Test func findsEveryLabelAgainWithItsScoreAsADictionaryWould() throws {
        let labels = try Self.labels()
        #expect(labels.count > 100_000)
        var cache = LabelScoreCache()
        var reference: [String: Int] = [:]
        for label in labels {
            let (entry, existed) = cache.entry(for: label)
            #expect(existed == (reference[label] != nil), "\(label)")
            if let known = reference[label] {
                #expect(entry == known, "\(label)")
            } else {
                #expect(entry == reference.count && cache.score(of: entry).isNaN)
                reference[label] = entry
                cache.setScore(Double(label.utf8.count) + Double(entry) / 1e7, of: entry)
            }
        }
        #expect(cache.count == reference.count)
        // The cache grew many times over; every label is still where it was, with its score.
        for (label, entry) in reference {
            let found = cache.entry(for: label)
            #expect(found.existed && found.entry == entry)
            #expect(cache.score(of: entry) == Double(label.utf8.count) + Double(entry) / 1e7)
        }
        #expect(cache.count == reference.count)
    }

    @Test func labelsAreTheirBytes() {
        var cache = LabelScoreCache()
        // Equal hashes are not trusted alone: names of every length up to 63, prefixes of
        // each other, upper and lower case, and a label that is not contiguous UTF-8.
        let long = String(repeating: "a", count: 63)
        let names = (0...63).map { String(long.prefix($0)) } + ["Google", "google", "gооgle", "xn--ggle-55da", "a\u{301}", "á"]
        for (index, name) in names.enumerated() {
            let (entry, existed) = cache.entry(for: name)
            #expect(!existed && entry == index, "\(name)")
        }
        let bridged = NSString(string: "google") as String
        #expect(cache.entry(for: bridged) == (names.firstIndex(of: "google") ?? -1, true))
        #expect(cache.count == names.count)
    }

    @Test func truncateDropsTheNewestEntriesOnly() throws {
        let labels = Array(Set(try Self.labels())).sorted()
        var cache = LabelScoreCache()
        let kept = labels.prefix(20_000)
        let dropped = labels.dropFirst(20_000).prefix(30_000)
        for label in kept { _ = cache.entry(for: label) }
        for label in dropped { _ = cache.entry(for: label) }
        cache.truncate(to: kept.count)
        #expect(cache.count == kept.count)
        for (index, label) in kept.enumerated() { #expect(cache.entry(for: label) == (index, true), "\(label)") }
        // A dropped label is new again, and takes the next number.
        for (offset, label) in dropped.prefix(100).enumerated() { #expect(cache.entry(for: label) == (kept.count + offset, false), "\(label)") }
        cache.removeAll()
        #expect(cache.count == 0)
        #expect(cache.entry(for: kept[kept.startIndex]) == (0, false))
    }
}
