import Foundation

/// Domain labels in neither training list: machine-made names of families the model never saw
/// (`SyntheticDGA`) and real legitimate names from another source than the popular list.
public struct HeldOutSet: Sendable {
    /// The labels, legit first.
    public let labels: [String]
    /// true = ioc, per label.
    public let isIOC: [Bool]
    /// The DGA family per label, or `legit`.
    public let group: [String]
    /// Where the legit labels came from, for reports.
    public let legitSource: String

    /// Builds the set: every legit label and `perFamily` labels of each family, less any label
    /// that is in `excluding` (the training labels), so nothing here was seen in training.
    public static func build(legitLabels: [String], legitSource: String, excluding: Set<String>, dictionaryWords: [String],
                             textWords: [String], perFamily: Int = 200, seed: UInt64 = 7) throws -> HeldOutSet {
        var seen = excluding
        var labels: [String] = []
        var isIOC: [Bool] = []
        var group: [String] = []
        for label in legitLabels where !label.isEmpty && seen.insert(label).inserted {
            labels.append(label)
            isIOC.append(false)
            group.append("legit")
        }
        guard !labels.isEmpty else { throw AutoMLError.notEnoughData("no held-out legit label is outside the training lists (\(legitSource))") }
        for family in SyntheticDGA.Family.allCases {
            for label in try SyntheticDGA.generate(family, count: perFamily, seed: seed, words: dictionaryWords, textWords: textWords)
            where seen.insert(label).inserted {
                labels.append(label)
                isIOC.append(true)
                group.append(family.rawValue)
            }
        }
        return HeldOutSet(labels: labels, isIOC: isIOC, group: group, legitSource: legitSource)
    }

    /// Scores the set with a model's probabilities (same order as `labels`) at its threshold.
    public func evaluate(probabilities: [Double], threshold: Double) throws -> HeldOutReport {
        guard probabilities.count == labels.count else {
            throw AutoMLError.invalidSetting("\(probabilities.count) probabilities for \(labels.count) held-out labels")
        }
        let auc = try ClassificationMetrics.rocAUC(labels: isIOC, scores: probabilities)
        var groups: [String: (count: Int, flagged: Int)] = [:]
        for (index, name) in group.enumerated() {
            var entry = groups[name] ?? (0, 0)
            entry.count += 1
            if probabilities[index] >= threshold { entry.flagged += 1 }
            groups[name] = entry
        }
        let legit = groups["legit"] ?? (0, 0)
        let ioc = groups.filter { $0.key != "legit" }.values.reduce((0, 0)) { ($0.0 + $1.count, $0.1 + $1.flagged) }
        // Each family ranked against the legit labels alone: the overall figure mixes families
        // the model ranks well with ones it ranks no better than chance, and hides which.
        let legitScores = labels.indices.filter { !isIOC[$0] }.map { probabilities[$0] }
        var familyScores: [String: [Double]] = [:]
        for index in labels.indices where isIOC[index] { familyScores[group[index], default: []].append(probabilities[index]) }
        let families = try SyntheticDGA.Family.allCases.compactMap { family -> HeldOutReport.Group? in
            guard let entry = groups[family.rawValue] else { return nil }
            let scores = familyScores[family.rawValue] ?? []
            let auc = try ClassificationMetrics.rocAUC(labels: Array(repeating: false, count: legitScores.count) + Array(repeating: true, count: scores.count),
                                                       scores: legitScores + scores)
            return .init(name: family.rawValue, count: entry.count, flagged: entry.flagged, wordBased: family.isWordBased, rocAUC: auc)
        }
        let wordBased = Set(families.filter(\.wordBased).map(\.name))
        let arithmeticIndices = labels.indices.filter { !isIOC[$0] || !wordBased.contains(group[$0]) }
        let arithmeticAUC = try ClassificationMetrics.rocAUC(labels: arithmeticIndices.map { isIOC[$0] },
                                                             scores: arithmeticIndices.map { probabilities[$0] })
        return HeldOutReport(rocAUC: auc, rocAUCWithoutWordFamilies: arithmeticAUC, threshold: threshold,
                             legitCount: legit.count, legitFlagged: legit.flagged, iocCount: ioc.0, iocFlagged: ioc.1,
                             families: families, legitSource: legitSource)
    }
}

/// How a model does on the held-out set.
public struct HeldOutReport: Sendable, Codable, Equatable {
    /// A DGA family's (or the legit group's) size and how many were flagged ioc.
    public struct Group: Sendable, Codable, Equatable {
        /// Family name.
        public let name: String
        /// Labels in the group.
        public let count: Int
        /// Labels flagged ioc at the model's threshold.
        public let flagged: Int
        /// Whether the family builds names from words.
        public let wordBased: Bool
        /// ROC AUC of this family's labels against the held-out legit labels (nil for reports
        /// written before it was computed).
        public let rocAUC: Double?

        public init(name: String, count: Int, flagged: Int, wordBased: Bool, rocAUC: Double? = nil) {
            self.name = name
            self.count = count
            self.flagged = flagged
            self.wordBased = wordBased
            self.rocAUC = rocAUC
        }
        /// flagged / count.
        public var flaggedShare: Double { count == 0 ? 0 : Double(flagged) / Double(count) }
    }

    /// ROC AUC over all held-out labels.
    public let rocAUC: Double
    /// ROC AUC with the word-based families left out (legit against character-level DGAs).
    public let rocAUCWithoutWordFamilies: Double
    /// The model's decision threshold.
    public let threshold: Double
    /// Held-out legit labels.
    public let legitCount: Int
    /// Held-out legit labels flagged ioc (false positives).
    public let legitFlagged: Int
    /// Held-out DGA labels.
    public let iocCount: Int
    /// Held-out DGA labels flagged ioc.
    public let iocFlagged: Int
    /// Per family.
    public let families: [Group]
    /// Where the legit labels came from.
    public let legitSource: String

    /// Share of legit labels flagged (the false-positive rate at the threshold).
    public var legitFlaggedShare: Double { legitCount == 0 ? 0 : Double(legitFlagged) / Double(legitCount) }
    /// Share of DGA labels caught (recall).
    public var iocCaughtShare: Double { iocCount == 0 ? 0 : Double(iocFlagged) / Double(iocCount) }

    /// The figures as tracking metrics, prefixed `heldout_`.
    public var metrics: [String: Double] {
        var metrics = ["heldout_roc_auc": rocAUC, "heldout_roc_auc_char_families": rocAUCWithoutWordFamilies,
                       "heldout_legit_flagged_share": legitFlaggedShare, "heldout_ioc_recall": iocCaughtShare]
        for family in families {
            metrics["heldout_recall_\(family.name)"] = family.flaggedShare
            if let auc = family.rocAUC { metrics["heldout_roc_auc_\(family.name)"] = auc }
        }
        return metrics
    }

    /// A Markdown section with the figures and the per-family table.
    public func markdown() -> String {
        var lines = [
            "Legit: \(legitCount) labels from \(legitSource), none in the training lists. DGA: \(iocCount) labels of \(families.count) families "
                + "generated by `SyntheticDGA` (seeded), none in the training lists.", "",
            "| measure | value |", "| --- | --- |",
            String(format: "| ROC AUC, all held-out labels | %.4f |", rocAUC),
            String(format: "| ROC AUC, character-level families only | %.4f |", rocAUCWithoutWordFamilies),
            String(format: "| legit flagged at threshold %.4f | %.2f%% (%d of %d) |", threshold, 100 * legitFlaggedShare, legitFlagged, legitCount),
            String(format: "| DGA caught | %.2f%% (%d of %d) |", 100 * iocCaughtShare, iocFlagged, iocCount),
            "", "| family | word-based | labels | caught | ROC AUC against the legit labels |", "| --- | --- | --- | --- | --- |",
        ]
        for family in families {
            lines.append("| \(family.name) | \(family.wordBased ? "yes" : "no") | \(family.count) | " + String(format: "%.1f%%", 100 * family.flaggedShare)
                + " | " + (family.rocAUC.map { String(format: "%.4f", $0) } ?? "-") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
