import Alerts
import Foundation
import JobRunner

/// Loads the alert definitions a manifest names, so that a bad definition (a template with a
/// syntax error, an unknown key, a wrong type) is refused when the manifest loads, before
/// anything runs, and not only when the alerts task is reached.
public enum AlertsPreflight {
    /// Loads the definitions of the alerts step's `alerts` parameter: comma-separated files or
    /// directories (relative paths against the current directory; empty or nil: `Jobs/alerts`),
    /// or the definitions themselves as JSON (a value starting with `[` or `{`).
    public static func load(parameter: String?) throws -> [AlertDefinition] {
        let text = parameter?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if text.hasPrefix("[") || text.hasPrefix("{") {
            return try AlertDefinitionLoader.parse(json: text, source: "the alerts parameter")
        }
        let locations = AlertDefinitionLoader.locations(text.isEmpty ? AlertDefinitionLoader.defaultLocation : text)
        return try AlertDefinitionLoader.load(
            locations: locations, baseDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true))
    }

    /// Checks the definitions of every task of `manifest` that runs the alerts step, with the
    /// job parameters as this run would resolve them. Throws `AlertDefinitionErrors`.
    public static func check(manifest: JobManifest, overrides: [String: String]) throws {
        let parameters = manifest.parameterDefaults.merging(overrides) { _, override in override }
        for task in manifest.tasks where task.notebookPath == alertsStep.name {
            var value = task.baseParameters.first { $0.name == "alerts" }?.value
            for (name, parameter) in parameters {
                value = value?.replacingOccurrences(of: "{{job.parameters.\(name)}}", with: parameter)
            }
            // A value from another task is known only when the job runs; the step checks it then.
            if value?.contains("{{tasks.") == true { continue }
            _ = try load(parameter: value)
        }
    }
}
