import JobRunner

/// The DNS analytics job: its steps by the names the manifest's `notebook_path` uses.
public enum DNSAnalyticsJob {
    /// Every step this build can run.
    public static let steps = StepRegistry([etlStep, automlStep, scoringStep, alertsStep])

    /// The manifest's path relative to the project root.
    public static let defaultManifestPath = "Jobs/dns_analytics.json"
}
