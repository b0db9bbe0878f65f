import Dispatch
import Synchronization

/// How a body run under a time limit ended.
enum DeadlineOutcome<T: Sendable>: Sendable {
    case finished(Result<T, any Error>)
    /// The limit passed first; the body was cancelled and has returned.
    case timedOut
}

/// Runs `body`, cancelling it when `limit` passes first. Cancellation is cooperative: steps
/// check it at every cell and in long loops, so the body returns soon after. `onTimeout`
/// runs when the limit passes, before the body is cancelled.
///
/// The clock is a Dispatch timer, not a Swift task: a step that keeps the concurrency pool's
/// few threads busy with synchronous work (a bulk load, training) must not delay its own
/// timeout.
func runWithDeadline<T: Sendable>(
    _ limit: Duration?, onTimeout: @escaping @Sendable () -> Void = {}, _ body: @escaping @Sendable () async throws -> T
) async -> DeadlineOutcome<T> {
    guard let limit else {
        do { return .finished(.success(try await body())) } catch { return .finished(.failure(error)) }
    }
    let fired = Flag()
    let work = Task { try await body() }
    let timer = DispatchWorkItem {
        // Said before the body is cancelled, so that it records why it stopped.
        onTimeout()
        fired.set()
        work.cancel()
    }
    let nanoseconds = limit.components.seconds * 1_000_000_000 + limit.components.attoseconds / 1_000_000_000
    DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(clamping: nanoseconds)), execute: timer)
    // The caller's cancellation (Ctrl-C, the job's own deadline) reaches the body too.
    let result = await withTaskCancellationHandler {
        await work.result
    } onCancel: {
        work.cancel()
    }
    timer.cancel()
    switch result {
    case .success(let value): return .finished(.success(value))
    case .failure(let error): return fired.isSet ? .timedOut : .finished(.failure(error))
    }
}

/// Why a run is stopping, shared by its tasks so that each records the right state.
final class RunControl: Sendable {
    enum StopReason: Sendable { case jobTimedOut }
    private let reason = Mutex<StopReason?>(nil)

    func stop(_ why: StopReason) { reason.withLock { $0 = $0 ?? why } }
    var stopReason: StopReason? { reason.withLock { $0 } }
}

/// A flag set once, read from several tasks.
final class Flag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}
