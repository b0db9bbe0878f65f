import Foundation
import Lakehouse

/// Copies the WAL back into the database on a background thread, with its own connection.
///
/// Why: with `synchronous=NORMAL` a checkpoint fsyncs the WAL and the database. Run inline
/// (SQLite's autocheckpoint), that stall lands on whichever logging call crosses the
/// threshold and was a quarter of the cost of small writes in `StoreBenchmark`. A PASSIVE
/// checkpoint does not block writers, so here it overlaps with logging instead.
///
/// The logging connection keeps a larger autocheckpoint as a backstop: while writes never
/// pause, frames appended during a background pass keep the WAL from restarting, and the
/// inline checkpoint (cheap by then, most pages already copied) lets it restart.
final class Checkpointer: @unchecked Sendable {
    private let path: String
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var requested = false
    private var stopping = false
    private var running = false

    init(path: String) {
        self.path = path
    }

    /// Asks for a checkpoint soon; returns at once. The thread starts on the first request,
    /// so a store that logs little never has one.
    func request() {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else { return }
        requested = true
        if !running {
            running = true
            let thread = Thread { [self] in self.loop() }
            thread.name = "runme-tracking-checkpoint"
            thread.qualityOfService = .utility
            thread.start()
        }
        condition.signal()
    }

    /// Stops the thread and waits for a pass in progress to finish.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while running { condition.wait() }
        condition.unlock()
    }

    private func loop() {
        // Opened lazily: a store that is opened only to read a little never pays for it.
        var database: Database?
        while true {
            condition.lock()
            while !requested && !stopping { condition.wait() }
            let stop = stopping
            requested = false
            condition.unlock()
            if stop { break }
            do {
                if database == nil { database = try Database(path: path, mode: .readWrite) }
                // PASSIVE neither waits for nor blocks other connections. A failure (for
                // example another process's checkpoint holding the lock) is left to the next
                // request or to the logging connection's autocheckpoint.
                _ = try database?.query("PRAGMA wal_checkpoint(PASSIVE)")
            } catch {
                continue
            }
        }
        database = nil
        condition.lock()
        running = false
        condition.broadcast()
        condition.unlock()
    }
}
