@testable import DGAModel
import Foundation
import TestSupport
import Testing

/// The featurizer's batch path (`Featurizer.fillRows`, what the compiled scorer calls: labels
/// normalised ahead, tables prefetched, no copy of the featurizer per label) against the
/// featurizer one label at a time, bit for bit, on the real alexa and DGA lists and odd labels
/// that take its fallback (non-ASCII, longer than a slot, trimmed dots and spaces).
@Suite struct FeaturizerBatchTests {
    @Test func batchRowsEqualOneByOneRowsBitForBit() throws {
        let featurizer = try DGATestData.shared.featurizer
        var labels = try FeaturizerFastPathTests.inputs().map(\.label)
        labels += [String(repeating: "abc", count: 120), ".www.Example.", " \tmixed CASE\n", "..", "日本語", "ab.cd", "x"]
        // Every feature, and a subset in another order (the columns a model may read).
        let selections: [[DomainFeature]] = [DomainFeature.allCases, [.wordGrams, .length, .characterModel, .longestWord]]
        for chosen in selections {
            let columns = chosen.map(\.columnIndex)
            let tables = Featurizer.TableUse(chosen)
            var batch = [Float](repeating: .nan, count: labels.count * columns.count)
            // Ranges of odd sizes and offsets, as chunks are.
            var start = 0
            var size = 1
            while start < labels.count {
                let range = start..<min(labels.count, start + size)
                labels.withUnsafeBufferPointer { labelBuffer in
                    batch.withUnsafeMutableBufferPointer { out in
                        guard let base = out.baseAddress else { return }
                        featurizer.fillRows(labelBuffer, range, columns: columns, tables: tables, into: base + range.lowerBound * columns.count)
                    }
                }
                start = range.upperBound
                size = size * 3 + 1
            }
            var differences: [String] = []
            for (row, label) in labels.enumerated() {
                let single = featurizer.features(DomainInput(label: label), selecting: chosen)
                for (offset, value) in single.enumerated() where value.bitPattern != batch[row * columns.count + offset].bitPattern {
                    differences.append("\(label) \(chosen[offset].rawValue): \(value) vs \(batch[row * columns.count + offset])")
                }
            }
            #expect(differences.isEmpty, "\(differences.count) differences: \(differences.prefix(5))")
            #expect(labels.count > 90_000)
        }
    }
}
