import Foundation
import Lakehouse

/// A file the pipeline has processed, as `pipeline_checkpoints` records it.
public struct FileCheckpoint: Sendable, Equatable {
    public var source: String
    public var size: Int64
    public var modified: Double?
    public var etag: String?
    public var rows: Int
    public var updateID: Int64
    public var processed: String
}

/// The pipeline's checkpoint: which files it has processed, by path or URI, with the size,
/// modification time or ETag they had. Written in the same transaction as the file's rows.
public struct CheckpointStore {
    public let database: Database
    public let pipeline: String

    public init(database: Database, pipeline: String) {
        self.database = database
        self.pipeline = pipeline
    }

    /// Every checkpoint of the pipeline, by source.
    public func all() throws -> [String: FileCheckpoint] {
        var result: [String: FileCheckpoint] = [:]
        for row in try database.query("SELECT source, size, modified, etag, rows, update_id, processed FROM pipeline_checkpoints WHERE pipeline = ?", [pipeline]) {
            guard let source = row.string("source") else { continue }
            result[source] = FileCheckpoint(source: source, size: row.int64("size") ?? 0, modified: row.double("modified"),
                                            etag: row.string("etag"), rows: row.int("rows") ?? 0,
                                            updateID: row.int64("update_id") ?? 0, processed: row.string("processed") ?? "")
        }
        return result
    }

    /// Records (or replaces) a file's checkpoint; call inside the transaction that writes its rows.
    public func record(_ file: InputFile, rows: Int, updateID: Int64, at time: Date) throws {
        try database.execute("""
            INSERT OR REPLACE INTO pipeline_checkpoints (pipeline, source, size, modified, etag, rows, update_id, processed)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, [pipeline, file.source, file.size, file.modified, file.etag, rows, updateID, SQLTime.text(time)])
    }
}
