/// What the results database refuses before SQLite is asked.
public enum LakehouseError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A read of a store that has no `lakehouse.db`: a wrong `--store`, or no job run yet.
    /// (SQLite would only say "unable to open database file".)
    case noResultsDatabase(path: String)

    public var description: String {
        switch self {
        case let .noResultsDatabase(path):
            return "no results database at \(path): run the job first (runme run), or pass --store with the folder of the store to read."
        }
    }
}
