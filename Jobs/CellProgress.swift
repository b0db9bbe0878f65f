import Fetch
import Foundation
import JobRunner

/// Shows a download's progress (bytes, rate, time left) in the live view, at most twice a
/// second, after it has taken a second: short downloads stay quiet.
final class CellProgress: ProgressReporter, @unchecked Sendable {
    private let context: StepContext
    private let lock = NSLock()
    private var lastReport = ContinuousClock.now

    init(_ context: StepContext) { self.context = context }

    func update(_ progress: TransferProgress) {
        guard progress.elapsed >= .seconds(1) else { return }
        let now = ContinuousClock.now
        let due: Bool = lock.withLock {
            guard now - lastReport >= .milliseconds(500) else { return false }
            lastReport = now
            return true
        }
        if due { context.reportProgress(ProgressBar.render(progress, width: 20)) }
    }

    func finish(_ progress: TransferProgress?, succeeded: Bool) {
        context.reportProgress("")
    }
}
