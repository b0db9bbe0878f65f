/// A manifest that cannot run, refused before anything starts: which file, where in it
/// (a JSON path such as `$.tasks[1].depends_on[0].task_key`) and what is wrong.
public struct ManifestError: Error, CustomStringConvertible, Sendable, Equatable {
    public var file: String
    /// Where in the document; `$` for the whole of it.
    public var jsonPath: String
    public var problem: String

    public init(file: String, jsonPath: String, problem: String) {
        self.file = file
        self.jsonPath = jsonPath
        self.problem = problem
    }

    public var description: String { "\(file): \(jsonPath): \(problem)" }
}

/// Several manifest errors found in one pass, so that a user fixes them all at once.
public struct ManifestErrors: Error, CustomStringConvertible, Sendable {
    public var errors: [ManifestError]
    public var description: String {
        errors.map(\.description).joined(separator: "\n")
    }
}
