/// One point of a ROC curve: flagging every row scored at least `threshold`.
public struct ROCPoint: Sendable, Equatable {
    /// Score at or above which rows are flagged (`+infinity` for the first point).
    public let threshold: Double
    /// Share of legit rows flagged.
    public let falsePositiveRate: Double
    /// Share of ioc rows flagged.
    public let truePositiveRate: Double
}

extension ROCPoint: Codable {
    private enum CodingKeys: String, CodingKey { case threshold, falsePositiveRate, truePositiveRate }

    // JSON has no infinity: the first point's threshold is written as null.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        threshold = try container.decodeIfPresent(Double.self, forKey: .threshold) ?? .infinity
        falsePositiveRate = try container.decode(Double.self, forKey: .falsePositiveRate)
        truePositiveRate = try container.decode(Double.self, forKey: .truePositiveRate)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if threshold.isFinite { try container.encode(threshold, forKey: .threshold) } else { try container.encodeNil(forKey: .threshold) }
        try container.encode(falsePositiveRate, forKey: .falsePositiveRate)
        try container.encode(truePositiveRate, forKey: .truePositiveRate)
    }
}

/// One point of a precision-recall curve.
public struct PRPoint: Sendable, Equatable, Codable {
    /// Score at or above which rows are flagged.
    public let threshold: Double
    /// Share of flagged rows that are ioc.
    public let precision: Double
    /// Share of ioc rows flagged.
    public let recall: Double
}
