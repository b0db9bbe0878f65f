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

    @Test("each top feature's value is the featurizer's value of that feature for the label, by either method")
    func valuesAreTheFeaturizers() async throws {
        let store = try TrackingStore.open(at: try await PipelineFixture.modelStore.value)
        let labels = try Self.labels()
        for method in [TopFeatureMethod.pathAttributions, .exact] {
            let model = try ScoringModel(uri: PipelineFixture.championURI, store: store, topFeatures: method)
            let json = try model.topFeatures(labels)
            // The scorer hands over the row's values it had (a dense champion): no second pass.
            let scored = method == .exact ? try model.bundle.score(labels: labels) : try model.bundle.scoreApproximatingContributions(labels: labels)
            #expect(scored.allSatisfy { $0.topFeatures.allSatisfy { $0.value != nil } })
            for (index, label) in labels.enumerated() {
                let items = try #require(try JSONSerialization.jsonObject(with: Data(json[index].utf8)) as? [[String: Any]])
                #expect(items.count == 3)
                for item in items {
                    let name = try #require(item["feature"] as? String)
                    let feature = try #require(DomainFeature(rawValue: name), "a dense feature: \(name)")
                    let expected = try #require(model.bundle.featurizer.features(DomainInput(label: label), selecting: [feature]).first)
                    if expected.isNaN {
                        #expect(item["value"] is NSNull, "\(method) \(label) \(name)")
                    } else {
                        let value = try #require(item["value"] as? Double, "\(method) \(label) \(name)")
                        // The JSON holds six significant digits.
                        #expect(abs(value - Double(expected)) <= 1e-5 * max(1, abs(Double(expected))), "\(method) \(label) \(name): \(value) vs \(expected)")
                    }
                }
            }
        }
    }
}
