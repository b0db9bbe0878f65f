/// The dependency graph of a job's tasks.
public struct TaskGraph: Sendable {
    /// Task keys in manifest order.
    public let keys: [String]
    /// Direct dependencies of each task.
    public let upstream: [String: [String]]
    /// Direct dependents of each task.
    public let downstream: [String: [String]]

    public init(tasks: [TaskSpec]) {
        keys = tasks.map(\.taskKey)
        var up: [String: [String]] = [:]
        var down: [String: [String]] = [:]
        for task in tasks {
            up[task.taskKey] = task.dependsOn
            down[task.taskKey, default: []] += []
            for dependency in task.dependsOn { down[dependency, default: []].append(task.taskKey) }
        }
        upstream = up
        downstream = down
    }

    /// Every task that `key` depends on, directly or through others.
    public func ancestors(of key: String) -> Set<String> { closure(from: key, edges: upstream) }

    /// Every task that depends on `key`, directly or through others.
    public func descendants(of key: String) -> Set<String> { closure(from: key, edges: downstream) }

    private func closure(from key: String, edges: [String: [String]]) -> Set<String> {
        var seen: Set<String> = []
        var stack = edges[key] ?? []
        while let next = stack.popLast() {
            if seen.insert(next).inserted { stack += edges[next] ?? [] }
        }
        return seen
    }

    /// A cycle, as the list of keys around it, or nil when the graph is acyclic.
    public func cycle() -> [String]? {
        enum Mark { case visiting, done }
        var marks: [String: Mark] = [:]
        var path: [String] = []
        func visit(_ key: String) -> [String]? {
            switch marks[key] {
            case .done: return nil
            case .visiting:
                let start = path.firstIndex(of: key) ?? 0
                return Array(path[start...]) + [key]
            case nil: break
            }
            marks[key] = .visiting
            path.append(key)
            for dependency in upstream[key] ?? [] where upstream[dependency] != nil {
                if let found = visit(dependency) { return found }
            }
            path.removeLast()
            marks[key] = .done
            return nil
        }
        for key in keys {
            if let found = visit(key) { return found }
        }
        return nil
    }

    /// Task keys in an order where every task comes after its dependencies (manifest order
    /// among tasks that are free to go), or nil when there is a cycle.
    public func topologicalOrder() -> [String]? {
        var remaining = Set(keys)
        var order: [String] = []
        while !remaining.isEmpty {
            guard let next = keys.first(where: { key in
                remaining.contains(key) && (upstream[key] ?? []).allSatisfy { !remaining.contains($0) }
            }) else { return nil }
            order.append(next)
            remaining.remove(next)
        }
        return order
    }
}
