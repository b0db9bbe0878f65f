/// The checks a manifest must pass before anything runs: known steps, unique keys,
/// existing dependencies, no cycle, and references that can be resolved when the task runs.
struct ManifestValidator {
    let manifest: JobManifest
    let knownSteps: Set<String>

    func validate() -> [ManifestError] {
        var errors: [ManifestError] = []
        let file = manifest.sourcePath
        let base = manifest.jsonBase
        var firstIndex: [String: Int] = [:]
        for (index, task) in manifest.tasks.enumerated() {
            if let earlier = firstIndex[task.taskKey] {
                errors.append(ManifestError(file: file, jsonPath: "\(base).tasks[\(index)].task_key", problem: "duplicate task_key \"\(task.taskKey)\" (also at \(base).tasks[\(earlier)])"))
            } else {
                firstIndex[task.taskKey] = index
            }
        }
        for (index, task) in manifest.tasks.enumerated() where !task.notebookPath.isEmpty && !knownSteps.contains(task.notebookPath) {
            errors.append(ManifestError(file: file, jsonPath: "\(base).tasks[\(index)].notebook_task.notebook_path", problem: "unknown step \"\(task.notebookPath)\"; this runme has the steps \(knownSteps.sorted().joined(separator: ", "))"))
        }
        for (index, task) in manifest.tasks.enumerated() {
            for (dependencyIndex, dependency) in task.dependsOn.enumerated() {
                if firstIndex[dependency] == nil {
                    errors.append(ManifestError(file: file, jsonPath: "\(base).tasks[\(index)].depends_on[\(dependencyIndex)].task_key", problem: "depends on \"\(dependency)\", which is not a task of this job"))
                } else if dependency == task.taskKey {
                    errors.append(ManifestError(file: file, jsonPath: "\(base).tasks[\(index)].depends_on[\(dependencyIndex)].task_key", problem: "task \"\(dependency)\" depends on itself"))
                }
            }
        }
        let graph = TaskGraph(tasks: manifest.tasks)
        if let cycle = graph.cycle(), cycle.count > 2 {
            let index = manifest.tasks.firstIndex { $0.taskKey == cycle[0] } ?? 0
            errors.append(ManifestError(file: file, jsonPath: "\(base).tasks[\(index)].depends_on", problem: "dependency cycle: \(cycle.joined(separator: " -> ")); tasks must form a graph without cycles"))
        }
        let parameterNames = Set(manifest.parameters.map(\.name))
        for (index, task) in manifest.tasks.enumerated() {
            let ancestors = graph.ancestors(of: task.taskKey)
            for (name, value) in task.baseParameters {
                let path = "\(base).tasks[\(index)].notebook_task.base_parameters.\(name)"
                for (reference, raw) in DynamicReference.scan(value) {
                    switch reference {
                    case nil:
                        errors.append(ManifestError(file: file, jsonPath: path, problem: "unknown reference {{\(raw)}}; use \(DynamicReference.accepted)"))
                    case .jobParameter(let parameter)? where !parameterNames.contains(parameter):
                        errors.append(ManifestError(file: file, jsonPath: path, problem: "{{\(raw)}} names job parameter \"\(parameter)\", which the job does not declare in parameters"))
                    case .taskValue(let upstreamKey, _)? where !ancestors.contains(upstreamKey):
                        let problem = firstIndex[upstreamKey] == nil
                            ? "{{\(raw)}} names task \"\(upstreamKey)\", which is not a task of this job"
                            : "{{\(raw)}} reads a value of task \"\(upstreamKey)\", which is not upstream of \"\(task.taskKey)\": add it to depends_on (directly or through another task)"
                        errors.append(ManifestError(file: file, jsonPath: path, problem: problem))
                    default: break
                    }
                }
            }
        }
        return errors
    }
}
