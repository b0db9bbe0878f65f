import Foundation

// The parts of MLflow's REST entities the export reads and writes (JSON field names in snake
// case; ids are strings on the wire).

/// A key-value pair: a tag or a param.
public struct MLflowKeyValue: Codable, Sendable, Equatable, Hashable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// One metric point; `timestamp` in milliseconds since 1970.
public struct MLflowMetric: Codable, Sendable, Equatable {
    public var key: String
    public var value: Double
    public var timestamp: Int64
    public var step: Int64

    public init(key: String, value: Double, timestamp: Int64, step: Int64) {
        self.key = key
        self.value = value
        self.timestamp = timestamp
        self.step = step
    }

    /// Identity of a point for comparing histories. SQL stores keep ±infinity as ±Double.max,
    /// so those compare equal; NaN equals NaN.
    var identity: PointIdentity {
        PointIdentity(step: step, timestamp: timestamp, value: Self.canonical(value))
    }

    static func canonical(_ value: Double) -> UInt64 {
        if value.isNaN { return Double.nan.bitPattern }
        if value == .infinity || value == .greatestFiniteMagnitude { return Double.infinity.bitPattern }
        if value == -.infinity || value == -.greatestFiniteMagnitude { return (-Double.infinity).bitPattern }
        // -0.0 and 0.0 are one value to a database.
        return value == 0 ? 0 : value.bitPattern
    }

    struct PointIdentity: Hashable {
        var step: Int64
        var timestamp: Int64
        var value: UInt64
    }
}

struct MLflowExperiment: Decodable, Sendable {
    var experimentId: String
    var name: String
    var artifactLocation: String?
    var lifecycleStage: String?
    var tags: [MLflowKeyValue]?
}

struct MLflowRunInfo: Decodable, Sendable {
    var runId: String
    var experimentId: String
    var runName: String?
    var status: String?
    var startTime: Int64?
    var endTime: Int64?
    var artifactUri: String?
    var lifecycleStage: String?
}

struct MLflowRunData: Decodable, Sendable {
    var metrics: [MLflowMetric]?
    var params: [MLflowKeyValue]?
    var tags: [MLflowKeyValue]?
}

struct MLflowRun: Decodable, Sendable {
    var info: MLflowRunInfo
    var data: MLflowRunData?

    func tag(_ key: String) -> String? { data?.tags?.first { $0.key == key }?.value }
}

struct MLflowFileInfo: Decodable, Sendable {
    var path: String
    var isDir: Bool?
    var fileSize: Int64?
}

struct MLflowAlias: Decodable, Sendable {
    var alias: String
    var version: String
}

struct MLflowRegisteredModel: Decodable, Sendable {
    var name: String
    var description: String?
    var aliases: [MLflowAlias]?
}

struct MLflowModelVersion: Decodable, Sendable {
    var name: String
    var version: String
    var source: String?
    var runId: String?
    var description: String?
    var tags: [MLflowKeyValue]?

    func tag(_ key: String) -> String? { tags?.first { $0.key == key }?.value }
}

/// MLflow's error body: `{"error_code": "...", "message": "..."}`.
struct MLflowErrorBody: Decodable {
    var errorCode: String?
    var message: String?
}
