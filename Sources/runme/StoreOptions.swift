import ArgumentParser
import Foundation
import Tracking

/// The options every command shares.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The experiment store directory (default: $RUNME_STORE, else ./Experiments).",
        valueName: "dir"))
    var store: String?

    /// The store directory, from the option, the environment, or the default.
    var directory: URL {
        let path = store ?? ProcessInfo.processInfo.environment["RUNME_STORE"] ?? "Experiments"
        return URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
    }

    /// Opens the store to write, creating it when needed.
    func openForWriting() throws -> TrackingStore {
        try TrackingStore.open(at: directory)
    }

    /// Opens an existing store to read; a missing one is a configuration error.
    func openForReading() throws -> TrackingStore {
        try TrackingStore.openReadOnly(at: directory)
    }
}

/// `--json` for listings.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false
}
