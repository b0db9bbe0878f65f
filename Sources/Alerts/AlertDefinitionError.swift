/// A problem in an alert definition, named by file and JSON path, with what to do.
public struct AlertDefinitionError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The definitions file (or `manifest parameter alerts` for paths given there).
    public let file: String
    /// The JSON path of the field, such as `$.alerts[1].template.body`.
    public let field: String
    public let problem: String

    public init(file: String, field: String, problem: String) {
        self.file = file
        self.field = field
        self.problem = problem
    }

    public var description: String { "\(file): \(field): \(problem)" }
}

/// Every problem found while loading alert definitions; nothing runs while there is one.
public struct AlertDefinitionErrors: Error, CustomStringConvertible, Sendable {
    public let errors: [AlertDefinitionError]

    public init(_ errors: [AlertDefinitionError]) { self.errors = errors }

    public var description: String {
        let lines = errors.map(\.description)
        return (errors.count == 1 ? "" : "\(errors.count) problems in the alert definitions:\n") + lines.joined(separator: "\n")
    }
}
