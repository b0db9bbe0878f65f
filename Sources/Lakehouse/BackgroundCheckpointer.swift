import Foundation

/// Copies a database's WAL back into the database file on a background thread, with a
/// connection of its own, so that the connection that writes never waits for it.
///
/// Why: with `synchronous=NORMAL` a checkpoint fsyncs the WAL and the database, and after a
/// large transaction it copies every page the transaction wrote (after the scoring
/// pipeline's update of 1,000,000 records, some 340 MB and 0.8 s). Run inline, that stall
/// lands on whichever call crosses SQLite's autocheckpoint threshold, or on the caller that
/// asked for it. A PASSIVE checkpoint neither waits for nor blocks other connections, so here
/// it overlaps with whatever the writer does next. It is safe to be stopped at any moment:
/// SQLite's checkpoint survives a crash or kill, and the next connection finishes it.
///
/// Requests coalesce: while a pass runs, any number of requests make one more pass.
public final class BackgroundCheckpointer: @unchecked Sendable {
    /// The database file.
    public let path: String
    private let name: String
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var requested = false
    private var stopping = false
    private var running = false
    private var inPass = false
    private var passes = 0
    private var lastPassSeconds: Double?

    /// A checkpointer for the database at `path` (a file, not `:memory:`). `name` names its
    /// thread. Nothing starts until the first ``request()``.
    public init(path: String, name: String = "runme-checkpoint") {
        self.path = path
        self.name = name
    }

    /// Asks for a checkpoint soon; returns at once. The thread starts on the first request,
    /// so a database that is written little never has one.
    public func request() {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else { return }
        requested = true
        if !running {
            running = true
            let thread = Thread { [self] in self.loop() }
            thread.name = name
            thread.qualityOfService = .utility
            thread.start()
        }
        condition.signal()
    }

    /// Waits until no pass is asked for or running, and returns how long the last pass took
    /// (nil if none ran).
    @discardableResult
    public func waitUntilIdle() -> Double? {
        condition.lock()
        defer { condition.unlock() }
        while running && (requested || inPass) { condition.wait() }
        return lastPassSeconds
    }

    /// Passes completed (or attempted) so far.
    public var completedPasses: Int {
        condition.lock()
        defer { condition.unlock() }
        return passes
    }

    /// Stops the thread and waits for a pass in progress to finish; a pass only asked for is
    /// not run.
    public func stop() {
        condition.lock()
        stopping = true
        requested = false
        condition.broadcast()
        while running { condition.wait() }
        condition.unlock()
    }

    /// Lets the thread run a pass already asked for and end, without waiting for it: for an
    /// owner that goes away while its last write's WAL is still to be copied.
    public func finishInBackground() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    private func loop() {
        // Opened lazily, on the first request.
        var database: Database?
        while true {
            condition.lock()
            while !requested && !stopping { condition.wait() }
            let pass = requested
            requested = false
            inPass = pass
            condition.unlock()
            guard pass else { break }
            let clock = ContinuousClock.now
            do {
                if database == nil { database = try Database(path: path, mode: .readWrite) }
                // PASSIVE neither waits for nor blocks other connections. A failure (for
                // example another process's checkpoint holding the lock) is left to the next
                // request or to a writer's autocheckpoint.
                _ = try database?.query("PRAGMA wal_checkpoint(PASSIVE)")
            } catch {}
            condition.lock()
            inPass = false
            passes += 1
            lastPassSeconds = (ContinuousClock.now - clock) / .seconds(1)
            condition.broadcast()
            condition.unlock()
        }
        database = nil
        condition.lock()
        running = false
        condition.broadcast()
        condition.unlock()
    }
}
