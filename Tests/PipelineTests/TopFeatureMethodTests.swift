import DGAModel
import Foundation
import Pipeline
import Testing
import TestSupport
import Tracking

/// `dns_ioc_latest.top_features` by either method: path attributions (the job's default) and
/// exact TreeSHAP give each label the three features that the bundle's own scoring calls gives.
@Suite struct TopFeatureMethodTests {
    /// Real DGA names from the shared sample, and popular ones, as the ETL would cut them.
    static func labels() throws -> [String] {
        let dga = try String(contentsOf: TestPaths.sharedData.appendingPathComponent("dga_domains_header.txt"), encoding: .utf8)
            .split(separator: "\n").dropFirst().prefix(40).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            .compactMap { $0.split(separator: ".").first.map(String.init) }
        return dga + ["google", "facebook", "wikipedia", "asdklgb"]
    }

    /// The features of a `top_features` JSON array, in order.
    static func features(_ json: String) throws -> [String] {
        let items = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        return items.compactMap { $0["feature"] as? String }
    }

    @Test("approx and shap each give the bundle's top three features, and they are not the same computation")
    func eachMethodMatchesTheBundle() async throws {
        let store = try TrackingStore.open(at: try await PipelineFixture.modelStore.value)
        let labels = try Self.labels()
        let approx = try ScoringModel(uri: PipelineFixture.championURI, store: store)
        let exact = try ScoringModel(uri: PipelineFixture.championURI, store: store, topFeatures: .exact)
        #expect(approx.topFeatureMethod == .pathAttributions)

        let approxJSON = try approx.topFeatures(labels)
        let exactJSON = try exact.topFeatures(labels)
        let approxExpected = try approx.bundle.scoreApproximatingContributions(labels: labels)
        let exactExpected = try exact.bundle.score(labels: labels)
        var differing = 0
        for index in labels.indices {
            let fromApprox = try Self.features(approxJSON[index])
            let fromExact = try Self.features(exactJSON[index])
            #expect(fromApprox == approxExpected[index].topFeatures.map(\.feature), "approx, \(labels[index])")
            #expect(fromExact == exactExpected[index].topFeatures.map(\.feature), "shap, \(labels[index])")
            #expect(fromApprox.count == 3 && fromExact.count == 3)
            let approxValues = approxExpected[index].topFeatures.map(\.contribution)
            let exactValues = exactExpected[index].topFeatures.map(\.contribution)
            if fromApprox != fromExact || zip(approxValues, exactValues).contains(where: { abs($0 - $1) > 1e-6 }) { differing += 1 }
        }
        // Saabas's attributions and SHAP values agree in sum, not feature by feature.
        #expect(differing > 0)
        // A cached answer is the same as the first.
        #expect(try approx.topFeatures(labels) == approxJSON)
    }
}
