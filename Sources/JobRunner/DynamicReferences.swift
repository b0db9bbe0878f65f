/// A `{{…}}` dynamic value reference in a task parameter, as Databricks Jobs writes them.
public enum DynamicReference: Sendable, Equatable {
    case jobParameter(String)
    case jobRunID
    case jobName
    case jobStartDate
    case jobStartDateTime
    case taskName
    case taskRunID
    case taskValue(taskKey: String, name: String)

    /// The references this runner knows, for error messages.
    static let accepted = "{{job.parameters.NAME}}, {{job.run_id}}, {{job.name}}, {{job.start_time.iso_date}}, {{job.start_time.iso_datetime}}, {{task.name}}, {{task.run_id}}, {{tasks.KEY.values.NAME}}"

    /// Parses the text between the braces; nil when it is not a known reference.
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        switch parts.count {
        case 2 where parts == ["job", "run_id"]: self = .jobRunID
        case 2 where parts == ["job", "name"]: self = .jobName
        case 2 where parts == ["task", "name"]: self = .taskName
        case 2 where parts == ["task", "run_id"]: self = .taskRunID
        case 3 where parts[0] == "job" && parts[1] == "parameters" && !parts[2].isEmpty: self = .jobParameter(parts[2])
        case 3 where parts == ["job", "start_time", "iso_date"]: self = .jobStartDate
        case 3 where parts == ["job", "start_time", "iso_datetime"]: self = .jobStartDateTime
        case 4 where parts[0] == "tasks" && parts[2] == "values" && !parts[1].isEmpty && !parts[3].isEmpty:
            self = .taskValue(taskKey: parts[1], name: parts[3])
        default: return nil
        }
    }

    /// Every `{{…}}` in a text: the reference (nil when unknown) and its raw text.
    public static func scan(_ text: String) -> [(reference: DynamicReference?, raw: String)] {
        var found: [(DynamicReference?, String)] = []
        var rest = text[...]
        while let open = rest.range(of: "{{") {
            guard let close = rest[open.upperBound...].range(of: "}}") else { break }
            let inner = String(rest[open.upperBound..<close.lowerBound])
            found.append((DynamicReference(inner), inner))
            rest = rest[close.upperBound...]
        }
        return found
    }

    /// Replaces every reference in `text` with what `value` gives for it.
    public static func substitute(_ text: String, _ value: (DynamicReference) throws -> String) rethrows -> String {
        var output = ""
        var rest = text[...]
        while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
            output += rest[..<open.lowerBound]
            let inner = String(rest[open.upperBound..<close.lowerBound])
            if let reference = DynamicReference(inner) {
                output += try value(reference)
            } else {
                output += rest[open.lowerBound..<close.upperBound]
            }
            rest = rest[close.upperBound...]
        }
        output += rest
        return output
    }
}

import Foundation
