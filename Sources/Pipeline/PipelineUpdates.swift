import Foundation
import Lakehouse

/// The rows of `pipeline_updates`: one per update (one pass over the new input), with its
/// state, as DLT's update history.
public struct PipelineUpdates {
    public let database: Database
    public let pipeline: String

    public init(database: Database, pipeline: String) {
        self.database = database
        self.pipeline = pipeline
    }

    /// Marks updates left RUNNING by a process that ended without finishing them (a crash or
    /// kill): their rows were rolled back with their transaction. Returns how many.
    @discardableResult
    public func markInterrupted() throws -> Int {
        try database.execute("""
            UPDATE pipeline_updates SET state = 'FAILED', ended = ?, message = 'interrupted: the process ended during the update; its rows and checkpoints were rolled back'
            WHERE pipeline = ? AND state = 'RUNNING'
            """, [SQLTime.text(Date()), pipeline])
        return database.changes
    }

    /// Starts an update (committed on its own, so that it stays visible if the update fails).
    public func begin(jobRunID: Int64?, modelURI: String) throws -> Int64 {
        try database.execute("INSERT INTO pipeline_updates (pipeline, state, started, job_run_id, model_uri) VALUES (?, 'RUNNING', ?, ?, ?)",
                             [pipeline, SQLTime.text(Date()), jobRunID, modelURI])
        return database.lastInsertRowID
    }

    /// Ends an update with its state and totals.
    public func finish(_ updateID: Int64, state: String, files: Int, rowsRead: Int, rowsWritten: Int, message: String) throws {
        try database.execute("""
            UPDATE pipeline_updates SET state = ?, ended = ?, files = ?, rows_read = ?, rows_written = ?, message = ? WHERE update_id = ?
            """, [state, SQLTime.text(Date()), files, rowsRead, rowsWritten, message, updateID])
    }
}
