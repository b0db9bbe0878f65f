import Foundation
import Lakehouse

/// The rows of `silver_dns_training_dataset`, as labels and ioc flags.
struct TrainingRows {
    let labels: [String]
    let isIOC: [Bool]

    static func read(storeDirectory: URL) throws -> TrainingRows {
        let database = try LakehouseSchema.openReadOnly(storeDirectory: storeDirectory)
        var labels: [String] = []
        var isIOC: [Bool] = []
        // Ordered so that the seeded split sees the same row order every time.
        let statement = try database.prepare("SELECT domain, class FROM silver_dns_training_dataset ORDER BY domain, class")
        while try statement.step() {
            guard let domain = statement.string(at: 0), let label = statement.string(at: 1), !domain.isEmpty else { continue }
            labels.append(domain)
            isIOC.append(label == "ioc")
        }
        return TrainingRows(labels: labels, isIOC: isIOC)
    }
}
