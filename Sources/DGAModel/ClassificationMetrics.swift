import Foundation

/// Binary classification metrics, ioc (`true`) being the positive class and a higher score
/// meaning more likely ioc. A row is flagged when its score is at or above the threshold.
public enum ClassificationMetrics {
    /// Decisions at `threshold` against the truth.
    public static func confusionMatrix(labels: [Bool], scores: [Double], threshold: Double = 0.5) throws -> ConfusionMatrix {
        try check(labels, scores, needBothClasses: false)
        var matrix = ConfusionMatrix(truePositives: 0, falsePositives: 0, trueNegatives: 0, falseNegatives: 0)
        for (label, score) in zip(labels, scores) {
            switch (label, score >= threshold) {
            case (true, true): matrix.truePositives += 1
            case (false, true): matrix.falsePositives += 1
            case (false, false): matrix.trueNegatives += 1
            case (true, false): matrix.falseNegatives += 1
            }
        }
        return matrix
    }

    /// Area under the ROC curve: the chance that a random ioc row outscores a random legit row,
    /// ties counting half (the Mann-Whitney statistic, which equals the trapezoidal area).
    public static func rocAUC(labels: [Bool], scores: [Double]) throws -> Double {
        let (positives, negatives) = try check(labels, scores, needBothClasses: true)
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var positiveRankSum = 0.0
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && scores[order[end + 1]] == scores[order[start]] { end += 1 }
            // Tied scores share the average of their 1-based ranks.
            let rank = Double(start + end + 2) / 2
            for position in start...end where labels[order[position]] { positiveRankSum += rank }
            start = end + 1
        }
        let p = Double(positives)
        return (positiveRankSum - p * (p + 1) / 2) / (p * Double(negatives))
    }

    /// ROC curve points from (0, 0) at threshold +infinity, one per distinct score, highest first.
    public static func rocCurve(labels: [Bool], scores: [Double]) throws -> [ROCPoint] {
        let (positives, negatives) = try check(labels, scores, needBothClasses: true)
        var points = [ROCPoint(threshold: .infinity, falsePositiveRate: 0, truePositiveRate: 0)]
        for step in cumulativeSteps(labels, scores) {
            points.append(ROCPoint(threshold: step.threshold, falsePositiveRate: Double(step.falsePositives) / Double(negatives),
                                   truePositiveRate: Double(step.truePositives) / Double(positives)))
        }
        return points
    }

    /// Precision-recall points, one per distinct score, highest threshold (lowest recall) first.
    public static func precisionRecallCurve(labels: [Bool], scores: [Double]) throws -> [PRPoint] {
        let (positives, _) = try check(labels, scores, needBothClasses: true)
        return cumulativeSteps(labels, scores).map { step in
            PRPoint(threshold: step.threshold,
                    precision: Double(step.truePositives) / Double(step.truePositives + step.falsePositives),
                    recall: Double(step.truePositives) / Double(positives))
        }
    }

    /// Average precision, `Σ (R_k − R_{k−1}) · P_k` over the PR points: the PR AUC without
    /// the optimistic linear interpolation.
    public static func averagePrecision(labels: [Bool], scores: [Double]) throws -> Double {
        var previousRecall = 0.0
        var sum = 0.0
        for point in try precisionRecallCurve(labels: labels, scores: scores) {
            sum += (point.recall - previousRecall) * point.precision
            previousRecall = point.recall
        }
        return sum
    }

    /// Mean negative natural-log likelihood of the labels under the predicted ioc
    /// probabilities, each clipped to `[epsilon, 1 − epsilon]`.
    public static func logLoss(labels: [Bool], probabilities: [Double], epsilon: Double = 1e-15) throws -> Double {
        try check(labels, probabilities, needBothClasses: false)
        var sum = 0.0
        for (label, probability) in zip(labels, probabilities) {
            let p = min(max(probability, epsilon), 1 - epsilon)
            sum -= label ? log(p) : log(1 - p)
        }
        return sum / Double(labels.count)
    }

    /// All the figures at once, for probabilities of ioc.
    public static func report(labels: [Bool], probabilities: [Double], threshold: Double = 0.5) throws -> ClassificationReport {
        ClassificationReport(threshold: threshold,
                             confusion: try confusionMatrix(labels: labels, scores: probabilities, threshold: threshold),
                             rocAUC: try rocAUC(labels: labels, scores: probabilities),
                             averagePrecision: try averagePrecision(labels: labels, scores: probabilities),
                             logLoss: try logLoss(labels: labels, probabilities: probabilities))
    }

    /// `report` for XGBoost's Float output.
    public static func report(labels: [Bool], probabilities: [Float], threshold: Double = 0.5) throws -> ClassificationReport {
        try report(labels: labels, probabilities: probabilities.map(Double.init), threshold: threshold)
    }

    struct Step {
        let threshold: Double
        let truePositives: Int
        let falsePositives: Int
    }

    /// Counts of flagged rows at each distinct score, highest score first.
    static func cumulativeSteps(_ labels: [Bool], _ scores: [Double]) -> [Step] {
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var steps: [Step] = []
        var truePositives = 0
        var falsePositives = 0
        var position = 0
        while position < order.count {
            let threshold = scores[order[position]]
            while position < order.count && scores[order[position]] == threshold {
                if labels[order[position]] { truePositives += 1 } else { falsePositives += 1 }
                position += 1
            }
            steps.append(Step(threshold: threshold, truePositives: truePositives, falsePositives: falsePositives))
        }
        return steps
    }

    @discardableResult
    static func check(_ labels: [Bool], _ scores: [Double], needBothClasses: Bool) throws -> (positives: Int, negatives: Int) {
        guard labels.count == scores.count else { throw MetricsError.lengthMismatch(labels: labels.count, scores: scores.count) }
        guard !labels.isEmpty else { throw MetricsError.empty }
        if let index = scores.firstIndex(where: \.isNaN) { throw MetricsError.nanScore(index: index) }
        let positives = labels.lazy.filter { $0 }.count
        let negatives = labels.count - positives
        if needBothClasses && (positives == 0 || negatives == 0) {
            throw MetricsError.singleClass(positives: positives, negatives: negatives)
        }
        return (positives, negatives)
    }
}
