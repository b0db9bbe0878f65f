import Foundation
import Tracking

extension JobManifest {
    /// Reads and validates a manifest file. Every problem found is reported at once, each
    /// with its JSON path; nothing runs when any is found.
    ///
    /// - Parameter knownSteps: the step names (`notebook_path` values) this build can run.
    public static func load(path: String, knownSteps: Set<String>) throws -> JobManifest {
        let data: Data
        let url = URL(fileURLWithPath: path)
        guard FileManager.default.fileExists(atPath: url.path) else {
            // The default path is relative: run from anywhere but the project's folder and it
            // is not there. Say where it was looked for.
            let problem = "no such file (looked for \(url.standardizedFileURL.path)). Run runme from the folder that holds Jobs/, "
                + "or pass --job with the path of a job manifest."
            throw ManifestErrors(errors: [ManifestError(file: path, jsonPath: "$", problem: problem)])
        }
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ManifestErrors(errors: [ManifestError(file: path, jsonPath: "$", problem: "cannot read the file: \(Self.reason(error, sentence: false)). Pass --job with the path of a job manifest.")])
        }
        return try parse(data, path: path, knownSteps: knownSteps)
    }

    /// Parses and validates manifest text (see ``load(path:knownSteps:)``).
    public static func parse(_ data: Data, path: String, knownSteps: Set<String>) throws -> JobManifest {
        let json: JSONValue
        do {
            json = try JSONValue.parse(data)
        } catch {
            throw ManifestErrors(errors: [ManifestError(file: path, jsonPath: "$", problem: "invalid JSON: \(Self.reason(error))")])
        }
        var parser = ManifestParser(file: path)
        let manifest = parser.manifest(json, text: String(decoding: data, as: UTF8.self))
        if let manifest {
            parser.errors += ManifestValidator(manifest: manifest, knownSteps: knownSteps).validate()
        }
        guard let manifest, parser.errors.isEmpty else {
            throw ManifestErrors(errors: parser.errors)
        }
        return manifest
    }

    /// Why `error` happened, in words; with `sentence: false`, without a closing period, for
    /// text that goes on after it.
    static func reason(_ error: Error, sentence: Bool) -> String {
        let text = reason(error)
        return sentence || !text.hasSuffix(".") ? text : String(text.dropLast())
    }

    static func reason(_ error: Error) -> String {
        if let decoding = error as? DecodingError {
            switch decoding {
            case .dataCorrupted(let context):
                let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
                return underlying ?? context.debugDescription
            default: return "\(decoding)"
            }
        }
        let nsError = error as NSError
        return (nsError.userInfo[NSDebugDescriptionErrorKey] as? String) ?? nsError.localizedDescription
    }
}

/// Walks the manifest JSON, collecting errors with their JSON paths.
struct ManifestParser {
    let file: String
    var errors: [ManifestError] = []
    var ignored: [String] = []

    init(file: String) { self.file = file }

    static let jobKeys: Set<String> = ["name", "timeout_seconds", "max_concurrent_runs", "parameters", "tasks", "description"]
    /// Task types of Databricks Jobs that runme cannot run: refused rather than ignored,
    /// since ignoring one would silently drop the task's work.
    static let otherTaskTypes: Set<String> = [
        "spark_python_task", "python_wheel_task", "spark_jar_task", "spark_submit_task", "sql_task", "dbt_task",
        "pipeline_task", "run_job_task", "condition_task", "for_each_task",
    ]
    static let taskKeys: Set<String> = [
        "task_key", "description", "depends_on", "notebook_task", "timeout_seconds", "max_retries",
        "min_retry_interval_millis", "retry_on_timeout", "run_if",
    ]

    mutating func fail(_ path: String, _ problem: String) {
        errors.append(ManifestError(file: file, jsonPath: path, problem: problem))
    }

    mutating func manifest(_ json: JSONValue, text: String) -> JobManifest? {
        guard let object = json.objectValue else {
            fail("$", "the manifest must be a JSON object (a job with \"name\" and \"tasks\"), found \(json.typeName)")
            return nil
        }
        // The accelerator's RUNME wraps the job in settings; accept both shapes.
        var job = object
        var base = "$"
        if object["tasks"] == nil, let settings = object["settings"]?.objectValue {
            job = settings
            base = "$.settings"
        }
        // Keys runme does not use (cluster settings, schedules, notifications, and keys it
        // does not know) are accepted and listed in one notice, as the job JSON of another
        // tool would carry them.
        for key in job.keys.sorted() where !Self.jobKeys.contains(key) {
            ignored.append("\(base).\(key)")
        }
        let name = string(job["name"], "\(base).name", required: true) ?? ""
        if name.isEmpty, job["name"] != nil { fail("\(base).name", "the job name must not be empty") }
        let timeout = int(job["timeout_seconds"], "\(base).timeout_seconds", minimum: 0)
        let maxConcurrent = int(job["max_concurrent_runs"], "\(base).max_concurrent_runs", minimum: 1) ?? 1

        var parameters: [JobParameter] = []
        if let value = job["parameters"] {
            if let array = value.arrayValue {
                for (index, item) in array.enumerated() {
                    let path = "\(base).parameters[\(index)]"
                    guard let entry = item.objectValue else {
                        fail(path, "a job parameter must be an object {\"name\": …, \"default\": …}, found \(item.typeName)")
                        continue
                    }
                    for key in entry.keys.sorted() where key != "name" && key != "default" {
                        ignored.append("\(path).\(key)")
                    }
                    guard let paramName = string(entry["name"], "\(path).name", required: true) else { continue }
                    if parameters.contains(where: { $0.name == paramName }) {
                        fail("\(path).name", "duplicate job parameter \"\(paramName)\"")
                    }
                    let defaultValue = scalarText(entry["default"], "\(path).default") ?? ""
                    parameters.append(JobParameter(name: paramName, defaultValue: defaultValue))
                }
            } else {
                fail("\(base).parameters", "must be an array of {\"name\", \"default\"}, found \(value.typeName)")
            }
        }

        var tasks: [TaskSpec] = []
        if let value = job["tasks"] {
            if let array = value.arrayValue {
                if array.isEmpty { fail("\(base).tasks", "a job needs at least one task") }
                for (index, item) in array.enumerated() {
                    if let task = self.task(item, path: "\(base).tasks[\(index)]") { tasks.append(task) }
                }
            } else {
                fail("\(base).tasks", "must be an array of tasks, found \(value.typeName)")
            }
        } else {
            fail(base, "missing \"tasks\": a job needs a list of tasks")
        }
        return JobManifest(
            name: name, timeoutSeconds: timeout.flatMap { $0 > 0 ? $0 : nil }, maxConcurrentRuns: maxConcurrent,
            parameters: parameters, tasks: tasks, ignoredKeys: ignored, sourcePath: file, sourceText: text,
            jsonBase: base)
    }

    mutating func task(_ json: JSONValue, path: String) -> TaskSpec? {
        guard let object = json.objectValue else {
            fail(path, "a task must be an object, found \(json.typeName)")
            return nil
        }
        for key in object.keys.sorted() where !Self.taskKeys.contains(key) {
            if Self.otherTaskTypes.contains(key) {
                fail("\(path).\(key)", "\(key) is not supported: runme runs notebook_task steps only")
            } else {
                ignored.append("\(path).\(key)")
            }
        }
        guard let key = string(object["task_key"], "\(path).task_key", required: true) else { return nil }
        if key.isEmpty || key.count > 100 || !key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) {
            fail("\(path).task_key", "task_key \"\(key)\" must be 1 to 100 letters, digits, '_' or '-'")
        }
        var dependsOn: [String] = []
        if let value = object["depends_on"] {
            if let array = value.arrayValue {
                for (index, item) in array.enumerated() {
                    let itemPath = "\(path).depends_on[\(index)]"
                    guard let dependency = item.objectValue else {
                        fail(itemPath, "a dependency must be {\"task_key\": …}, found \(item.typeName)")
                        continue
                    }
                    for extra in dependency.keys.sorted() where extra != "task_key" {
                        ignored.append("\(itemPath).\(extra)")
                    }
                    if let upstream = string(dependency["task_key"], "\(itemPath).task_key", required: true) {
                        if dependsOn.contains(upstream) {
                            fail("\(itemPath).task_key", "task \"\(upstream)\" is listed twice in depends_on")
                        }
                        dependsOn.append(upstream)
                    }
                }
            } else {
                fail("\(path).depends_on", "must be an array of {\"task_key\": …}, found \(value.typeName)")
            }
        }
        var notebookPath = ""
        var baseParameters: [(name: String, value: String)] = []
        if let notebook = object["notebook_task"] {
            if let notebookObject = notebook.objectValue {
                for extra in notebookObject.keys.sorted() where !["notebook_path", "base_parameters"].contains(extra) {
                    ignored.append("\(path).notebook_task.\(extra)")
                }
                notebookPath = string(notebookObject["notebook_path"], "\(path).notebook_task.notebook_path", required: true) ?? ""
                if let parameters = notebookObject["base_parameters"] {
                    if let parameterObject = parameters.objectValue {
                        for name in parameterObject.keys.sorted() {
                            if let value = scalarText(parameterObject[name], "\(path).notebook_task.base_parameters.\(name)") {
                                baseParameters.append((name, value))
                            }
                        }
                    } else {
                        fail("\(path).notebook_task.base_parameters", "must be an object of name to value, found \(parameters.typeName)")
                    }
                }
            } else {
                fail("\(path).notebook_task", "must be an object {\"notebook_path\": …}, found \(notebook.typeName)")
            }
        } else {
            fail(path, "task \"\(key)\" has no notebook_task: say which step it runs with notebook_task.notebook_path")
        }
        let runIfText = string(object["run_if"], "\(path).run_if", required: false) ?? RunIf.allSuccess.rawValue
        let runIf = RunIf(rawValue: runIfText)
        if runIf == nil {
            fail("\(path).run_if", "unknown run_if \"\(runIfText)\"; use one of \(RunIf.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return TaskSpec(
            taskKey: key,
            description: string(object["description"], "\(path).description", required: false) ?? "",
            dependsOn: dependsOn, notebookPath: notebookPath, baseParameters: baseParameters,
            timeoutSeconds: int(object["timeout_seconds"], "\(path).timeout_seconds", minimum: 0).flatMap { $0 > 0 ? $0 : nil },
            maxRetries: int(object["max_retries"], "\(path).max_retries", minimum: -1) ?? 0,
            minRetryIntervalMillis: int(object["min_retry_interval_millis"], "\(path).min_retry_interval_millis", minimum: 0) ?? 0,
            retryOnTimeout: bool(object["retry_on_timeout"], "\(path).retry_on_timeout") ?? false,
            runIf: runIf ?? .allSuccess)
    }

    mutating func string(_ value: JSONValue?, _ path: String, required: Bool) -> String? {
        guard let value else {
            if required { fail(path, "missing; a string is required here") }
            return nil
        }
        guard let text = value.stringValue else {
            fail(path, "must be a string, found \(value.typeName)")
            return nil
        }
        return text
    }

    /// A parameter value: Databricks takes strings; numbers and booleans are taken as their text.
    mutating func scalarText(_ value: JSONValue?, _ path: String) -> String? {
        switch value {
        case .none: return nil
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .number: return value?.jsonText
        case .some(let other):
            fail(path, "must be a string, found \(other.typeName)")
            return nil
        }
    }

    mutating func int(_ value: JSONValue?, _ path: String, minimum: Int) -> Int? {
        guard let value else { return nil }
        guard let number = value.doubleValue, number.rounded() == number, abs(number) < 1e12 else {
            fail(path, "must be a whole number, found \(value.typeName == "a number" ? value.jsonText : value.typeName)")
            return nil
        }
        let integer = Int(number)
        if integer < minimum {
            fail(path, "must be at least \(minimum), found \(integer)")
            return nil
        }
        return integer
    }

    mutating func bool(_ value: JSONValue?, _ path: String) -> Bool? {
        guard let value else { return nil }
        guard let flag = value.boolValue else {
            fail(path, "must be true or false, found \(value.typeName)")
            return nil
        }
        return flag
    }
}
