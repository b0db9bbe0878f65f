/// What stops a pipeline update, each saying what failed, on which input, and what to do.
public enum PipelineError: Error, CustomStringConvertible, Sendable, Equatable {
    /// An `expect_or_fail` expectation failed: the update is rolled back.
    case expectationFailed(table: String, expectation: String, row: String)
    /// The model URI does not resolve, or its artifact does not load.
    case modelUnavailable(uri: String, reason: String)
    /// No model was given and none was handed over.
    case noModel
    /// The input location cannot be listed.
    case inputUnavailable(location: String, reason: String)
    /// The enrichment tables are missing (the ETL task has not run on this store).
    case referenceDataMissing(String)

    public var description: String {
        switch self {
        case let .expectationFailed(table, expectation, row):
            return "expectation '\(expectation)' (expect_or_fail) of table \(table) failed on \(row); the update was rolled back and nothing of it was committed. Fix the input or the model, then rerun."
        case let .modelUnavailable(uri, reason):
            return "cannot score with the model \(uri): \(reason). No input was read. Give a model_uri that resolves (runme models lists them), or rerun 02_automl."
        case .noModel:
            return "no model to score with: the AutoML task (02_automl) set no model_uri task value and the model_uri parameter is empty. Run 02_automl first or pass --param model_uri=models:/dns_dga@champion."
        case let .inputUnavailable(location, reason):
            return "cannot list the input \(location): \(reason). Set the input parameter to a directory or s3:// prefix of DNS logs."
        case let .referenceDataMissing(what):
            return "\(what). Run the ETL task (01_etl) on this store first."
        }
    }
}
