import Foundation

/// The AutoML step's `test_evaluation.json` as the report reads it: the best trials' test-set
/// curves and confusion matrices and the best model's feature importance. The writer is
/// `DGAModel.TestSetEvaluation`, whose property names are the keys.
public struct TestEvaluationFile: Sendable, Decodable, Encodable {
    public struct Confusion: Sendable, Codable {
        public let truePositives: Int
        public let falsePositives: Int
        public let trueNegatives: Int
        public let falseNegatives: Int
    }

    public struct Trial: Sendable, Codable {
        public let trial: Int
        public let runID: String
        public let algorithm: String
        public let validationScore: Double
        public let threshold: Double
        public let confusion: Confusion
        public let metrics: [String: Double]
        /// (false positive rate, true positive rate) pairs.
        public let roc: [[Double]]
        /// (recall, precision) pairs.
        public let precisionRecall: [[Double]]
    }

    public struct Importance: Sendable, Codable {
        public let feature: String
        public let score: Double
    }

    public let primaryMetric: String
    public let testRows: Int
    public let testPositives: Int
    public let trials: [Trial]
    public let bestRunID: String
    public let importanceType: String
    public let featureImportance: [Importance]

    /// Decodes the artifact's bytes; `path` names it in errors.
    static func decode(_ data: Data, path: String) throws -> TestEvaluationFile {
        let decoder = JSONDecoder()
        do {
            return try decoder.decode(TestEvaluationFile.self, from: data)
        } catch {
            throw ReportError.badArtifact(path: path, reason: "\(error)")
        }
    }
}
