import DGAModel
import Foundation
import Hashing
import Testing
import TestSupport

@Suite struct MetricsTests {
    // Two ioc rows (0.8, 0.6) and two legit rows (0.8, 0.2): one tie across the classes.
    let labels = [true, false, true, false]
    let scores = [0.8, 0.8, 0.6, 0.2]

    @Test func handComputedFigures() throws {
        // Pairs (ioc, legit): (0.8, 0.8) tie = ½, (0.8, 0.2) = 1, (0.6, 0.8) = 0, (0.6, 0.2) = 1.
        #expect(try ClassificationMetrics.rocAUC(labels: labels, scores: scores) == 2.5 / 4)
        // PR points: (P ½, R ½) at 0.8, (⅔, 1) at 0.6, (½, 1) at 0.2 → ½·½ + ½·⅔.
        let ap = try ClassificationMetrics.averagePrecision(labels: labels, scores: scores)
        #expect(abs(ap - (0.25 + 1.0 / 3)) < 1e-12)
        let roc = try ClassificationMetrics.rocCurve(labels: labels, scores: scores)
        #expect(roc.map(\.falsePositiveRate) == [0, 0.5, 0.5, 1])
        #expect(roc.map(\.truePositiveRate) == [0, 0.5, 1, 1])
        #expect(roc.map(\.threshold) == [.infinity, 0.8, 0.6, 0.2])
        let pr = try ClassificationMetrics.precisionRecallCurve(labels: labels, scores: scores)
        #expect(pr.map(\.recall) == [0.5, 1, 1])
        #expect(pr.map(\.threshold) == [0.8, 0.6, 0.2])

        let matrix = try ClassificationMetrics.confusionMatrix(labels: labels, scores: scores, threshold: 0.5)
        #expect(matrix == ConfusionMatrix(truePositives: 2, falsePositives: 1, trueNegatives: 1, falseNegatives: 0))
        #expect(matrix.accuracy == 0.75)
        #expect(abs(matrix.precision - 2.0 / 3) < 1e-12)
        #expect(matrix.recall == 1)
        #expect(abs(matrix.f1 - 0.8) < 1e-12)
        #expect(matrix.falsePositiveRate == 0.5)

        let expectedLoss = -(log(0.8) + log(0.2) + log(0.6) + log(0.8)) / 4
        #expect(abs(try ClassificationMetrics.logLoss(labels: labels, probabilities: scores) - expectedLoss) < 1e-12)
        // Clipping keeps a confident mistake finite.
        let clipped = try ClassificationMetrics.logLoss(labels: [true], probabilities: [0], epsilon: 1e-15)
        #expect(abs(clipped - -log(1e-15)) < 1e-9)
    }

    @Test func perfectAndInvertedRankings() throws {
        #expect(try ClassificationMetrics.rocAUC(labels: [false, false, true], scores: [0.1, 0.2, 0.9]) == 1)
        #expect(try ClassificationMetrics.rocAUC(labels: [true, false, false], scores: [0.1, 0.2, 0.9]) == 0)
        #expect(try ClassificationMetrics.rocAUC(labels: [true, false], scores: [0.5, 0.5]) == 0.5)
        #expect(try ClassificationMetrics.averagePrecision(labels: [false, false, true], scores: [0.1, 0.2, 0.9]) == 1)
    }

    @Test func thresholdChoice() throws {
        let f1 = try ClassificationMetrics.chooseThreshold(labels: labels, scores: scores, criterion: .maximumF1)
        #expect(f1?.threshold == 0.6)
        #expect(f1?.confusion.f1 == 0.8)
        #expect(try ClassificationMetrics.chooseThreshold(labels: labels, scores: scores, criterion: .youden)?.threshold == 0.6)
        #expect(try ClassificationMetrics.chooseThreshold(labels: labels, scores: scores, criterion: .falsePositiveRate(0)) == nil)
        #expect(try ClassificationMetrics.chooseThreshold(labels: labels, scores: scores, criterion: .falsePositiveRate(0.5))?.threshold == 0.6)
        #expect(try ClassificationMetrics.chooseThreshold(labels: labels, scores: scores, criterion: .precision(0.6))?.threshold == 0.6)
        #expect(try ClassificationMetrics.chooseThreshold(labels: labels, scores: scores, criterion: .precision(0.9)) == nil)
    }

    @Test func badInputIsRefused() {
        #expect(throws: MetricsError.lengthMismatch(labels: 2, scores: 1)) {
            try ClassificationMetrics.rocAUC(labels: [true, false], scores: [0.1])
        }
        #expect(throws: MetricsError.singleClass(positives: 2, negatives: 0)) {
            try ClassificationMetrics.rocAUC(labels: [true, true], scores: [0.1, 0.2])
        }
        #expect(throws: MetricsError.empty) { try ClassificationMetrics.logLoss(labels: [], probabilities: []) }
        #expect(throws: MetricsError.nanScore(index: 1)) {
            try ClassificationMetrics.averagePrecision(labels: [true, false], scores: [0.1, .nan])
        }
    }

    @Test func curvesEncodeToJSON() throws {
        let roc = try ClassificationMetrics.rocCurve(labels: labels, scores: scores)
        let data = try JSONEncoder().encode(roc)
        #expect(try JSONDecoder().decode([ROCPoint].self, from: data) == roc)
    }

    /// The same figures as scikit-learn on a few hundred random scores with ties.
    @Test func agreesWithScikitLearn() throws {
        var generator = SplitMix64(seed: 2024)
        var truth: [Bool] = []
        var probabilities: [Double] = []
        for _ in 0..<400 {
            let positive = Double.random(in: 0..<1, using: &generator) < 0.3
            // Overlapping classes, scores rounded to two decimals so that ties occur.
            let raw = Double.random(in: 0..<1, using: &generator) * 0.7 + (positive ? 0.25 : 0.05)
            truth.append(positive)
            probabilities.append((raw * 100).rounded() / 100)
        }
        let directory = try TemporaryDirectory("dga-metrics")
        let input = directory.file("scores.json")
        try JSONSerialization.data(withJSONObject: ["labels": truth.map { $0 ? 1 : 0 }, "scores": probabilities]).write(to: input)
        let output = try LocalServers.runPython(Self.sklearnScript, arguments: [input.path], timeout: 120)
        guard !output.contains("MISSING_SKLEARN") else {
            Issue.record("scikit-learn is missing: pip install scikit-learn (scripts/install-dependencies --test does it)")
            return
        }
        let expected = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        func number(_ key: String) throws -> Double { try #require(expected[key] as? Double, "\(key) in \(output.prefix(300))") }
        func numbers(_ key: String) throws -> [Double] {
            try #require((expected[key] as? [Any])?.map { ($0 as? Double) ?? .infinity }, "\(key)")
        }

        let report = try ClassificationMetrics.report(labels: truth, probabilities: probabilities, threshold: 0.5)
        #expect(abs(report.rocAUC - (try number("roc_auc"))) < 1e-12)
        #expect(abs(report.averagePrecision - (try number("average_precision"))) < 1e-12)
        #expect(abs(report.logLoss - (try number("log_loss"))) < 1e-12)
        #expect(abs(report.accuracy - (try number("accuracy"))) < 1e-12)
        #expect(abs(report.precision - (try number("precision"))) < 1e-12)
        #expect(abs(report.recall - (try number("recall"))) < 1e-12)
        #expect(abs(report.f1 - (try number("f1"))) < 1e-12)

        let roc = try ClassificationMetrics.rocCurve(labels: truth, scores: probabilities)
        #expect(Self.close(roc.map(\.falsePositiveRate), try numbers("roc_fpr")))
        #expect(Self.close(roc.map(\.truePositiveRate), try numbers("roc_tpr")))
        #expect(roc.dropFirst().map(\.threshold) == (try numbers("roc_thresholds")).dropFirst().map { $0 })
        // scikit-learn lists PR points from the lowest threshold up and appends (P 1, R 0).
        let pr = try ClassificationMetrics.precisionRecallCurve(labels: truth, scores: probabilities)
        let sklearnPrecision = try numbers("pr_precision")
        let sklearnRecall = try numbers("pr_recall")
        let sklearnThresholds = try numbers("pr_thresholds")
        #expect(pr.map(\.threshold) == sklearnThresholds.reversed())
        #expect(Self.close(pr.map(\.precision), sklearnPrecision.dropLast().reversed()))
        #expect(Self.close(pr.map(\.recall), sklearnRecall.dropLast().reversed()))
        print("metrics vs scikit-learn \(expected["version"] ?? "?"): AUC \(report.rocAUC), AP \(report.averagePrecision), log loss \(report.logLoss), F1 \(report.f1)")
    }

    /// Same length and equal to within rounding (scikit-learn divides cumulative sums).
    static func close(_ ours: [Double], _ theirs: some Collection<Double>) -> Bool {
        ours.count == theirs.count && zip(ours, theirs).allSatisfy { abs($0 - $1) < 1e-12 }
    }

    static let sklearnScript = #"""
    import json, sys
    try:
        import sklearn
        from sklearn import metrics
        import numpy as np
    except ImportError:
        print("MISSING_SKLEARN")
        sys.exit(0)
    data = json.load(open(sys.argv[1]))
    y = np.array(data["labels"]); s = np.array(data["scores"], dtype=np.float64)
    pred = (s >= 0.5).astype(int)
    fpr, tpr, thr = metrics.roc_curve(y, s, drop_intermediate=False)
    p, r, pthr = metrics.precision_recall_curve(y, s)
    out = {
        "version": sklearn.__version__,
        "roc_auc": metrics.roc_auc_score(y, s),
        "average_precision": metrics.average_precision_score(y, s),
        "log_loss": metrics.log_loss(y, s),
        "accuracy": metrics.accuracy_score(y, pred),
        "precision": metrics.precision_score(y, pred),
        "recall": metrics.recall_score(y, pred),
        "f1": metrics.f1_score(y, pred),
        "roc_fpr": fpr.tolist(), "roc_tpr": tpr.tolist(),
        "roc_thresholds": [None if not np.isfinite(t) else float(t) for t in thr],
        "pr_precision": p.tolist(), "pr_recall": r.tolist(), "pr_thresholds": pthr.tolist(),
    }
    print(json.dumps(out))
    """#
}
