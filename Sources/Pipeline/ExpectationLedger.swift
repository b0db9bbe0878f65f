import Foundation
import Lakehouse
import Synchronization

/// The passed, failed and dropped counts of every expectation in one update, as the
/// pipeline's event log records them.
public final class ExpectationLedger: Sendable {
    /// One expectation's counts.
    public struct Entry: Sendable, Equatable {
        public var table: String
        public var expectation: String
        public var action: ExpectationAction
        public var counts: ExpectationCounts
    }

    private let state = Mutex<[Entry]>([])

    public init() {}

    /// Adds counts to an expectation's entry (created on first use, in declaration order).
    public func add(table: String, expectation: String, action: ExpectationAction, _ counts: ExpectationCounts) {
        state.withLock { entries in
            if let index = entries.firstIndex(where: { $0.table == table && $0.expectation == expectation }) {
                entries[index].counts += counts
            } else {
                entries.append(Entry(table: table, expectation: expectation, action: action, counts: counts))
            }
        }
    }

    /// The entries, in the order the expectations were first counted.
    public var entries: [Entry] { state.withLock { $0 } }

    /// Writes the entries as `pipeline_event_log` rows of `updateID` (replacing any the update
    /// wrote before), inside the caller's transaction when one is open.
    public func write(to database: Database, updateID: Int64, at time: Date = Date()) throws {
        try database.transaction {
            try database.execute("DELETE FROM pipeline_event_log WHERE update_id = ?", [updateID])
            let insert = try database.cachedStatement("""
                INSERT INTO pipeline_event_log (update_id, table_name, expectation, action, passed, failed, dropped, timestamp)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let stamp = SQLTime.text(time)
            for entry in entries {
                try insert.bind([updateID, entry.table, entry.expectation, entry.action.rawValue,
                                 entry.counts.passed, entry.counts.failed, entry.counts.dropped, stamp])
                try insert.run()
            }
        }
    }
}
