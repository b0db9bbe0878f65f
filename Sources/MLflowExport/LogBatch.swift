import Foundation

/// The body of one `runs/log-batch` request.
public struct LogBatch: Sendable, Equatable {
    public var metrics: [MLflowMetric] = []
    public var params: [MLflowKeyValue] = []
    public var tags: [MLflowKeyValue] = []

    /// Params, tags and metrics together.
    public var entityCount: Int { metrics.count + params.count + tags.count }
}

/// Splits params, tags and metric points into `runs/log-batch` requests that stay within
/// MLflow's limits: at most 1,000 metrics, 100 params, 100 tags and 1,000 entities in all per
/// request, and a JSON body under 1 MB.
public struct LogBatchPlanner: Sendable {
    /// The server's limits (MLflow's defaults unless a test lowers them).
    public struct Limits: Sendable, Equatable {
        public var metrics = 1000
        public var params = 100
        public var tags = 100
        public var entities = 1000
        /// The request body's size limit in bytes; MLflow checks 1,000,000.
        public var bytes = 1_000_000

        public init(metrics: Int = 1000, params: Int = 100, tags: Int = 100, entities: Int = 1000, bytes: Int = 1_000_000) {
            self.metrics = metrics
            self.params = params
            self.tags = tags
            self.entities = entities
            self.bytes = bytes
        }
    }

    public var limits: Limits

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// The batches, params first, then tags, then metrics in the order given (so that a
    /// metric's history goes out in order).
    public func plan(params: [MLflowKeyValue], tags: [MLflowKeyValue], metrics: [MLflowMetric]) -> [LogBatch] {
        // The envelope: {"run_id":"<32 hex>","metrics":[],"params":[],"tags":[]} plus slack for
        // a longer id; each entity adds its JSON and a comma.
        let envelope = 160
        var batches: [LogBatch] = []
        var current = LogBatch()
        var size = envelope

        func fits(_ entitySize: Int, metric: Int, param: Int, tag: Int) -> Bool {
            current.metrics.count + metric <= limits.metrics && current.params.count + param <= limits.params
                && current.tags.count + tag <= limits.tags && current.entityCount + 1 <= limits.entities
                && size + entitySize <= limits.bytes
        }
        func flush() {
            if current.entityCount > 0 { batches.append(current) }
            current = LogBatch()
            size = envelope
        }

        for param in params {
            let entitySize = MLflowClient.encode(param).count + 1
            if !fits(entitySize, metric: 0, param: 1, tag: 0) { flush() }
            current.params.append(param)
            size += entitySize
        }
        for tag in tags {
            let entitySize = MLflowClient.encode(tag).count + 1
            if !fits(entitySize, metric: 0, param: 0, tag: 1) { flush() }
            current.tags.append(tag)
            size += entitySize
        }
        for metric in metrics {
            let entitySize = MLflowClient.encode(metric).count + 1
            if !fits(entitySize, metric: 1, param: 0, tag: 0) { flush() }
            current.metrics.append(metric)
            size += entitySize
        }
        flush()
        return batches
    }
}
