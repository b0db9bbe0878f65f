import Foundation
import TestSupport
import Testing
@testable import Tracking
#if canImport(Glibc)
import Glibc
#endif

/// Runs `body` with a fresh temporary directory, removed afterwards.
func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
    let directory = try TemporaryDirectory("runme-tracking-tests")
    return try withExtendedLifetime(directory) { try body(directory.url) }
}

/// Runs `body` with a store opened in a fresh temporary directory.
func withStore<T>(_ body: (TrackingStore) throws -> T) throws -> T {
    try withTemporaryDirectory { directory in
        let store = try TrackingStore.open(at: directory.appendingPathComponent("store"))
        return try body(store)
    }
}

/// A store with one experiment and one running run, the starting point of most tests.
func withRun<T>(_ body: (TrackingStore, RunInfo) throws -> T) throws -> T {
    try withStore { store in
        let experiment = try store.createExperiment(name: "test")
        let run = try store.createRun(experimentID: experiment.id, name: "run")
        return try body(store, run)
    }
}

/// The bytes and modification time of a file, to prove it was not touched.
struct FileSnapshot: Equatable {
    let bytes: Data
    let modified: Date?

    init(_ url: URL) throws {
        bytes = try Data(contentsOf: url)
        modified = try FileManager.default.attributesOfItem(atPath: url.path)[.modificationDate] as? Date
    }
}

/// SHA-256 computed by coreutils' sha256sum, independently of the Digest module.
/// popen rather than Process: Process started from Swift Testing inherits a blocked signal
/// mask (see PLATFORM.md).
func sha256sum(_ url: URL) -> String? {
    guard let pipe = popen("/usr/bin/sha256sum '\(url.path)'", "r") else { return nil }
    var output = ""
    var buffer = [CChar](repeating: 0, count: 256)
    while fgets(&buffer, Int32(buffer.count), pipe) != nil {
        output += String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
    guard pclose(pipe) == 0 else { return nil }
    return output.split(separator: " ").first.map(String.init)
}

/// Collects errors thrown on other threads.
final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func append(_ error: any Error) {
        lock.lock()
        stored.append("\(error)")
        lock.unlock()
    }
    var errors: [String] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}

/// Runs the bodies on their own threads at once and waits for all of them; returns the
/// errors they threw.
func runConcurrently(_ bodies: [@Sendable () throws -> Void]) -> [String] {
    let box = ErrorBox()
    let group = DispatchGroup()
    for body in bodies {
        group.enter()
        Thread.detachNewThread {
            defer { group.leave() }
            do { try body() } catch { box.append(error) }
        }
    }
    group.wait()
    return box.errors
}
