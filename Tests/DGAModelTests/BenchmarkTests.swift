import DGAModel
import Foundation
import Testing

/// Throughput figures for the report. Debug builds are 10-50 times slower, so the figures mean
/// something only in release: `RUNME_DGA_BENCH=1 swift test -c release --filter DGAModelTests.BenchmarkTests`.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["RUNME_DGA_BENCH"] == "1"))
struct BenchmarkTests {
    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    @Test func featurizerAndPredictionThroughput() throws {
        let data = try DGATestData.shared
        print(String(format: "featurizer fit: %.2f s", data.featurizerFitSeconds))
        var json = Data()
        let encode = try Self.seconds { json = try data.featurizer.jsonData() }
        let decode = try Self.seconds { _ = try Featurizer(jsonData: json) }
        print(String(format: "featurizer JSON: %d KiB, encode %.2f s, load %.2f s", json.count / 1024, encode, decode))
        // One million labels, real ones repeated, on one core.
        var labels: [String] = []
        while labels.count < 1_000_000 { labels += data.labels }
        labels = Array(labels.prefix(1_000_000))
        var matrix = DenseMatrix(rowCount: 0, columnCount: 0)
        let dense = Self.seconds { matrix = data.featurizer.matrix(labels: labels) }
        print(String(format: "featurize (all %d dense features): %.0f domains/s", DomainFeature.allCases.count, Double(labels.count) / dense))
        let accelerator = Self.seconds { _ = data.featurizer.matrix(labels: labels, features: DomainFeature.accelerator) }
        print(String(format: "featurize (4 accelerator features): %.0f domains/s", Double(labels.count) / accelerator))
        // Where the time goes: each table on its own (each call normalises the label again).
        var sink = 0.0
        let parts: [(String, (String) -> Double)] = [
            ("normalise only", { Double($0.utf8.count) }),
            ("popular n-grams", { data.featurizer.popularGrams.score($0) }),
            ("dictionary n-grams", { data.featurizer.dictionaryGrams.score($0) }),
            ("character model", { data.featurizer.characterModel.meanLogProbability($0) }),
            ("word coverage", { data.featurizer.dictionary.cover($0).coverage }),
        ]
        for (name, part) in parts {
            let time = Self.seconds { for label in labels { sink += part(label) } }
            print(String(format: "  %@: %.0f ns/domain", name, time / Double(labels.count) * 1e9))
        }
        print("  (checksum \(sink))")
        let hashed = Self.seconds { _ = data.featurizer.hashedNGrams(labels: labels) }
        print(String(format: "hashed n-grams: %.0f domains/s", Double(labels.count) / hashed))
        #expect(Double(labels.count) / dense >= 200_000)

        let trainRows = data.split.train
        let truth = trainRows.map { Float(data.isIOC[$0] ? 1 : 0) }
        let train = try DMatrix(data.featurizer.matrix(labels: trainRows.map { data.labels[$0] }), labels: truth, nthread: 1)
        var parameters = BoosterParameters(nthread: 1)
        parameters.maxDepth = 6
        var result: TrainingResult?
        let training = try Self.seconds { result = try Booster.train(parameters: parameters, training: train, rounds: 100) }
        print(String(format: "training: 100 rounds, %d rows x %d features, nthread 1: %.2f s", trainRows.count, DomainFeature.allCases.count, training))
        let booster = try #require(result?.booster)
        for threads in [1, 2] {
            try booster.setParameter("nthread", String(threads))
            let inPlace = try Self.seconds { _ = try booster.predict(matrix) }
            let viaMatrix = try Self.seconds { _ = try booster.predict(try DMatrix(matrix, nthread: threads)) }
            print(String(format: "predict 1M rows, 100 trees, nthread %d: in place %.0f rows/s, via DMatrix %.0f rows/s",
                         threads, Double(labels.count) / inPlace, Double(labels.count) / viaMatrix))
        }
    }
}
