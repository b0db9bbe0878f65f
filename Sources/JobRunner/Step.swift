/// A step a task can run: the code a manifest's `notebook_task.notebook_path` names.
///
/// A step's body reads like a notebook: a short sequence of named cells
/// (`try await context.cell("Load bronze_dns") { cell in … }`) that call the domain modules.
public struct Step: Sendable {
    /// The name the manifest uses in `notebook_path`, such as `01_DNS_Analytics_ETL`.
    public let name: String
    /// A one-line title for transcripts and listings.
    public let title: String
    /// The parameters the step reads, with a line each, for `--help`-style listings.
    public let parameterDocs: [(name: String, meaning: String)]
    /// The step's body.
    public let body: @Sendable (StepContext) async throws -> Void

    public init(
        name: String, title: String, parameters: [(name: String, meaning: String)] = [],
        body: @escaping @Sendable (StepContext) async throws -> Void
    ) {
        self.name = name
        self.title = title
        self.parameterDocs = parameters
        self.body = body
    }
}

/// The steps a build of runme can run, by name.
public struct StepRegistry: Sendable {
    public let steps: [String: Step]

    public init(_ steps: [Step]) {
        self.steps = Dictionary(steps.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public var names: Set<String> { Set(steps.keys) }
    public subscript(name: String) -> Step? { steps[name] }
}
