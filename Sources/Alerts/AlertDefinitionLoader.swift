import Foundation

/// Loads alert definitions from files and directories (every `*.json` in a directory, in name
/// order), or from JSON text given inline.
public enum AlertDefinitionLoader {
    /// The definitions the job ships with, relative to the project root.
    public static let defaultLocation = "Jobs/alerts"

    /// Loads every definition at `locations` (files or directories; relative paths against
    /// `baseDirectory`). Throws `AlertDefinitionErrors` naming every problem by file and
    /// field: invalid JSON, unknown keys, wrong types, template syntax errors, duplicate names.
    public static func load(locations: [String], baseDirectory: URL) throws -> [AlertDefinition] {
        var errors: [AlertDefinitionError] = []
        var definitions: [AlertDefinition] = []
        for location in locations {
            let url = location.hasPrefix("/") ? URL(fileURLWithPath: location) : baseDirectory.appendingPathComponent(location)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
                errors.append(AlertDefinitionError(file: location, field: "$", problem: "no such file or directory (looked at \(url.path)); give a definitions file or a directory of *.json files"))
                continue
            }
            let files: [URL]
            if isDirectory.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
                files = names.filter { $0.hasSuffix(".json") }.sorted().map { url.appendingPathComponent($0) }
            } else {
                files = [url]
            }
            for file in files {
                let display = !isDirectory.boolValue ? location
                    : location == "." ? file.lastPathComponent : (location as NSString).appendingPathComponent(file.lastPathComponent)
                guard let data = FileManager.default.contents(atPath: file.path) else {
                    errors.append(AlertDefinitionError(file: display, field: "$", problem: "cannot be read; check its permissions"))
                    continue
                }
                var parser = AlertDefinitionParser(source: display)
                definitions += parser.parse(data)
                errors += parser.errors
            }
        }
        errors += duplicateNames(definitions)
        if !errors.isEmpty { throw AlertDefinitionErrors(errors) }
        return definitions
    }

    /// Parses definitions given as JSON text (for example a step parameter); `source` names
    /// where the text came from in messages.
    public static func parse(json: String, source: String) throws -> [AlertDefinition] {
        var parser = AlertDefinitionParser(source: source)
        let definitions = parser.parse(Data(json.utf8))
        let errors = parser.errors + duplicateNames(definitions)
        if !errors.isEmpty { throw AlertDefinitionErrors(errors) }
        return definitions
    }

    /// Checks for names used twice across all loaded definitions.
    public static func checkUniqueNames(_ definitions: [AlertDefinition]) throws {
        let errors = duplicateNames(definitions)
        if !errors.isEmpty { throw AlertDefinitionErrors(errors) }
    }

    private static func duplicateNames(_ definitions: [AlertDefinition]) -> [AlertDefinitionError] {
        var first: [String: AlertDefinition] = [:]
        var errors: [AlertDefinitionError] = []
        for definition in definitions {
            if let earlier = first[definition.name] {
                errors.append(AlertDefinitionError(file: definition.source, field: "name", problem: "alert name '\(definition.name)' is also defined in \(earlier.source); names must be unique (they key the alert's state)"))
            } else {
                first[definition.name] = definition
            }
        }
        return errors
    }

    /// Splits a comma-separated list of locations (the step's `alerts` parameter).
    public static func locations(_ parameter: String) -> [String] {
        parameter.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
