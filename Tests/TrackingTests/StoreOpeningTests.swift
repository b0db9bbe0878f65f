import Foundation
import Lakehouse
import Testing
@testable import Tracking

@Suite("Opening a store")
struct StoreOpeningTests {
    @Test("open creates the directory, tracking.db and artifacts/, fully migrated")
    func openCreates() throws {
        try withTemporaryDirectory { root in
            let directory = root.appendingPathComponent("a/b/store")
            let store = try TrackingStore.open(at: directory)
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("tracking.db").path))
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("artifacts").path))
            #expect(store.databaseURL.lastPathComponent == "tracking.db")
            #expect(store.artifactRoot.lastPathComponent == "artifacts")
            #expect(store.schemaVersion == TrackingSchema.migrator.latestVersion)
            #expect(store.schemaVersion == 3)
            #expect(!store.isReadOnly)
            // Both migrations ran: the job-run tables of v2 exist next to the tracking tables.
            let tables = try store.read { db in
                try db.query("SELECT name FROM sqlite_master WHERE type = 'table'").compactMap { $0.string("name") }
            }
            for table in ["experiments", "runs", "params", "metrics", "latest_metrics", "run_tags", "artifacts",
                          "registered_models", "model_versions", "model_aliases", "job_runs", "task_runs"] {
                #expect(tables.contains(table), "missing table \(table)")
            }
            // Reopening an up-to-date store changes nothing and keeps the data.
            _ = try store.createExperiment(name: "kept")
            let again = try TrackingStore.open(at: directory)
            #expect(try again.experiment(named: "kept") != nil)
        }
    }

    @Test("openReadOnly of a missing store fails clearly and creates nothing")
    func readOnlyMissing() throws {
        try withTemporaryDirectory { root in
            let missing = root.appendingPathComponent("nowhere")
            let error = #expect(throws: TrackingError.self) { try TrackingStore.openReadOnly(at: missing) }
            #expect(error == .storeNotFound(directory: missing.path))
            #expect(!FileManager.default.fileExists(atPath: missing.path))
            #expect(error.map { "\($0)" }?.contains("tracking.db") == true)

            // An existing but empty directory: still no store, still nothing created.
            let empty = root.appendingPathComponent("empty")
            try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: false)
            #expect(throws: TrackingError.storeNotFound(directory: empty.path)) { try TrackingStore.openReadOnly(at: empty) }
            #expect(try FileManager.default.contentsOfDirectory(atPath: empty.path).isEmpty)
        }
    }

    @Test("a read-only store reads, refuses writes and leaves the database file unchanged")
    func readOnlyStore() throws {
        try withTemporaryDirectory { root in
            let directory = root.appendingPathComponent("store")
            let runID: String
            do {
                let store = try TrackingStore.open(at: directory)
                let experiment = try store.createExperiment(name: "e")
                let run = try store.createRun(experimentID: experiment.id)
                try store.logMetric(runID: run.runID, key: "loss", value: 0.5, step: 1)
                runID = run.runID
            }
            let databaseURL = directory.appendingPathComponent("tracking.db")
            let before = try FileSnapshot(databaseURL)
            let store = try TrackingStore.openReadOnly(at: directory)
            #expect(store.isReadOnly)
            #expect(try store.latestMetrics(runID: runID)["loss"]?.value == 0.5)
            #expect(try store.experiments().count == 1)
            #expect(throws: TrackingError.readOnlyStore(directory: directory.path)) {
                try store.logMetric(runID: runID, key: "loss", value: 1)
            }
            #expect(throws: TrackingError.readOnlyStore(directory: directory.path)) {
                try store.createExperiment(name: "other")
            }
            #expect(try FileSnapshot(databaseURL) == before)
        }
    }

    @Test("a file of junk bytes is refused with a typed error and never modified")
    func corruptFile() throws {
        try withTemporaryDirectory { root in
            let directory = root.appendingPathComponent("store")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let databaseURL = directory.appendingPathComponent("tracking.db")
            let junk = Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
            try junk.write(to: databaseURL)
            let before = try FileSnapshot(databaseURL)

            for open in [TrackingStore.open(at:), TrackingStore.openReadOnly(at:)] {
                let error = #expect(throws: TrackingError.self) { try open(directory) }
                guard case let .notADatabase(path, _)? = error else {
                    Issue.record("expected notADatabase, got \(String(describing: error))")
                    continue
                }
                #expect(path == databaseURL.path)
                #expect(error.map { "\($0)" }?.contains("not modified") == true)
            }
            #expect(try FileSnapshot(databaseURL) == before)
            #expect(try FileSnapshot(databaseURL).bytes == junk)
            // Refused before anything else was created in the store directory.
            #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("artifacts").path))
        }
    }

    @Test("a store written by a newer version is refused and never modified")
    func newerSchema() throws {
        try withTemporaryDirectory { root in
            let directory = root.appendingPathComponent("store")
            do {
                let store = try TrackingStore.open(at: directory)
                _ = try store.createExperiment(name: "from the future")
            }
            let databaseURL = directory.appendingPathComponent("tracking.db")
            do {
                let db = try Database(path: databaseURL.path, mode: .readWrite)
                try db.execute("PRAGMA user_version = 99")
            }
            // The last connection closed: the WAL was checkpointed into the file and removed.
            #expect(!FileManager.default.fileExists(atPath: databaseURL.path + "-wal"))
            let before = try FileSnapshot(databaseURL)
            let known = TrackingSchema.migrator.latestVersion

            for open in [TrackingStore.open(at:), TrackingStore.openReadOnly(at:)] {
                let error = #expect(throws: TrackingError.self) { try open(directory) }
                #expect(error == .newerSchema(path: databaseURL.path, found: 99, known: known))
                #expect(error.map { "\($0)" }?.contains("newer runme") == true)
            }
            #expect(try FileSnapshot(databaseURL) == before)
            let check = try Database(path: databaseURL.path, mode: .readOnly)
            #expect(try check.userVersion() == 99)
        }
    }

    @Test("a SQLite file of another program is refused as foreign")
    func foreignSchema() throws {
        try withTemporaryDirectory { root in
            let directory = root.appendingPathComponent("store")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let databaseURL = directory.appendingPathComponent("tracking.db")
            do {
                let db = try Database(path: databaseURL.path)
                try Migrator(product: "other", [.init("something_else", sql: "CREATE TABLE t(x)")]).migrate(db)
            }
            let before = try FileSnapshot(databaseURL)
            let error = #expect(throws: TrackingError.self) { try TrackingStore.open(at: directory) }
            guard case .foreignSchema? = error else {
                Issue.record("expected foreignSchema, got \(String(describing: error))")
                return
            }
            #expect(try FileSnapshot(databaseURL) == before)
        }
    }

    @Test("migration from an older schema keeps the data")
    func migrationFromOlderSchema() throws {
        try withTemporaryDirectory { root in
            let directory = root.appendingPathComponent("store")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let databaseURL = directory.appendingPathComponent("tracking.db")
            let runID = "0123456789abcdef0123456789abcdef"
            do {
                // A store as a build that knew only v1 left it.
                let db = try Database(path: databaseURL.path, pageSize: TrackingStore.pageSize)
                try Migrator(product: "runme", [TrackingSchema.v1]).migrate(db)
                #expect(try db.userVersion() == 1)
                try db.execute("INSERT INTO experiments(experiment_id, name, artifact_location, creation_time, last_update_time) VALUES (1, 'old', 'artifacts/1', 1000, 1000)")
                try db.execute("INSERT INTO runs(run_id, experiment_id, name, status, start_time) VALUES (?, 1, 'old run', 'FINISHED', 1001)", [runID])
                try db.execute("INSERT INTO params(run_seq, key, value) SELECT run_seq, 'lr', '0.1' FROM runs WHERE run_id = ?", [runID])
                try db.execute("INSERT INTO metrics(run_seq, key, step, timestamp, value, is_nan) SELECT run_seq, 'loss', 3, 1002, 0.25, 0 FROM runs WHERE run_id = ?", [runID])
                try db.execute("INSERT INTO latest_metrics(run_seq, key, step, timestamp, value, is_nan) SELECT run_seq, 'loss', 3, 1002, 0.25, 0 FROM runs WHERE run_id = ?", [runID])
                let tables = try db.query("SELECT name FROM sqlite_master WHERE name = 'job_runs'")
                #expect(tables.isEmpty)
            }

            let store = try TrackingStore.open(at: directory)
            #expect(store.schemaVersion == 3)
            let run = try store.run(id: runID)
            #expect(run.info.name == "old run")
            #expect(run.info.status == .finished)
            #expect(run.data.params == ["lr": "0.1"])
            #expect(run.data.metrics["loss"]?.value == 0.25)
            #expect(try store.metricHistory(runID: runID, key: "loss").map(\.step) == [3])
            #expect(try store.experiment(named: "old")?.id == 1)
            let names = try store.read { db in
                try db.query("SELECT name FROM schema_migrations ORDER BY version").compactMap { $0.string("name") }
            }
            #expect(names == ["v1_tracking", "v2_job_runs", "v3_alerts"])
            let jobRuns = try store.read { db in try db.scalar("SELECT COUNT(*) FROM job_runs")?.int64Value }
            #expect(jobRuns == 0)
            // New writes work on the migrated store.
            try store.logMetric(runID: runID, key: "loss", value: 0.125, step: 4)
            #expect(try store.latestMetrics(runID: runID)["loss"]?.step == 4)
        }
    }

    @Test("new stores use 1 KiB pages")
    func pageSize() throws {
        try withStore { store in
            let size = try store.read { db in try db.scalar("PRAGMA page_size")?.int64Value }
            #expect(size == Int64(TrackingStore.pageSize))
        }
    }
}
