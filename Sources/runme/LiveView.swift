import Foundation
import JobRunner
import Synchronization
import Tracking

/// Shows a running job: on a terminal, a block of lines (one per task: state, elapsed time,
/// current cell) redrawn four times a second; otherwise, one plain line per event, so that
/// logs and CI output stay readable.
final class LiveView: JobRunObserver, @unchecked Sendable {
    struct TaskLine: Sendable {
        var key: String
        var state = "PENDING"
        var attempt = 0
        var started: Date?
        var ended: Date?
        var cell = ""
        var progress = ""
        var message = ""
    }

    struct State: Sendable {
        var tasks: [TaskLine] = []
        var drawnLines = 0
        var title = ""
        var stopped = false
    }

    let isTerminal: Bool
    private let state: Mutex<State>
    // The timer is touched only under timerLock; Dispatch sources are not Sendable.
    private let timerLock = NSLock()
    private var timer: (any DispatchSourceTimer)?

    init(taskKeys: [String], isTerminal: Bool = isatty(STDOUT_FILENO) != 0 && ProcessInfo.processInfo.environment["TERM"] != "dumb") {
        self.isTerminal = isTerminal
        state = Mutex(State(tasks: taskKeys.map { TaskLine(key: $0) }))
    }

    func handle(_ event: JobRunEvent) {
        switch event {
        case let .runStarted(jobRunID, jobName, tasks, repairID):
            let title = repairID.map { "job \(jobName), run \(jobRunID), repair \($0)" } ?? "job \(jobName), run \(jobRunID)"
            state.withLock { state in
                state.title = title
                // Show the tasks that run now, in order; a repair or --task run shows only those.
                state.tasks = tasks.map { key in state.tasks.first { $0.key == key } ?? TaskLine(key: key) }
            }
            if isTerminal { startRedrawing() } else { line("\(title): \(tasks.count) task\(tasks.count == 1 ? "" : "s") to run: \(tasks.joined(separator: ", "))") }
        case .notice(let text):
            note(text)
        case let .taskState(key, attempt, lifeCycle, result, message):
            let label = result.map { lifeCycle == .terminated ? $0.rawValue : "\(lifeCycle.rawValue) \($0.rawValue)" } ?? lifeCycle.rawValue
            let elapsed: String? = state.withLock { state in
                guard let index = state.tasks.firstIndex(where: { $0.key == key }) else {
                    state.tasks.append(TaskLine(key: key))
                    return nil
                }
                state.tasks[index].state = label
                state.tasks[index].attempt = attempt
                state.tasks[index].message = message
                if lifeCycle == .running {
                    state.tasks[index].started = Date()
                    state.tasks[index].ended = nil
                } else if lifeCycle.isFinal {
                    state.tasks[index].ended = Date()
                    state.tasks[index].cell = ""
                }
                return state.tasks[index].started.map { Format.duration((state.tasks[index].ended ?? Date()).timeIntervalSince($0)) }
            }
            if !isTerminal {
                var text = "\(key): \(label)"
                if attempt > 0 { text += " (attempt \(attempt))" }
                if lifeCycle.isFinal, let elapsed { text += " after \(elapsed)" }
                if !message.isEmpty { text += " — \(message)" }
                line(text)
            }
        case let .cellStarted(key, index, name):
            state.withLock { state in
                if let i = state.tasks.firstIndex(where: { $0.key == key }) {
                    state.tasks[i].cell = "[\(index)] \(name)"
                    state.tasks[i].progress = ""
                }
            }
        case let .cellFinished(key, index, name, cellState, duration):
            if !isTerminal { line("\(key): [\(index)] \(name): \(cellState.rawValue) in \(Format.duration(duration))") }
        case .output:
            break
        case let .progress(key, text):
            // Only a terminal redraws; logs stay free of progress chatter.
            state.withLock { state in
                if let i = state.tasks.firstIndex(where: { $0.key == key }) { state.tasks[i].progress = text }
            }
        case .runFinished:
            stop()
        }
    }

    /// Prints a notice above the live block.
    func note(_ text: String) {
        if isTerminal {
            state.withLock { state in
                clear(&state)
                FileHandle.standardError.write(Data("runme: \(text)\n".utf8))
                draw(&state)
            }
        } else {
            FileHandle.standardError.write(Data("runme: \(text)\n".utf8))
        }
    }

    /// Stops redrawing and leaves the final state on screen.
    func stop() {
        timerLock.withLock {
            timer?.cancel()
            timer = nil
        }
        if isTerminal {
            state.withLock { state in
                guard !state.stopped else { return }
                state.stopped = true
                clear(&state)
                draw(&state)
            }
        }
    }

    private func startRedrawing() {
        let source = DispatchSource.makeTimerSource(queue: .global())
        source.schedule(deadline: .now(), repeating: .milliseconds(250))
        source.setEventHandler { [self] in
            state.withLock { state in
                guard !state.stopped else { return }
                clear(&state)
                draw(&state)
            }
        }
        timerLock.withLock {
            timer?.cancel()
            timer = source
        }
        source.resume()
    }

    private func clear(_ state: inout State) {
        guard state.drawnLines > 0 else { return }
        var text = ""
        for _ in 0..<state.drawnLines { text += "\u{1B}[1A\u{1B}[2K" }
        write(text)
        state.drawnLines = 0
    }

    private func draw(_ state: inout State) {
        let width = state.tasks.map(\.key.count).max() ?? 8
        var lines = [state.title]
        let now = Date()
        for task in state.tasks {
            let elapsed = task.started.map { Format.duration((task.ended ?? now).timeIntervalSince($0)) } ?? ""
            var text = "  " + task.key.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
            text += Terminal.colored(task.state.padding(toLength: 16, withPad: " ", startingAt: 0), for: task.state)
            text += elapsed.padding(toLength: 9, withPad: " ", startingAt: 0)
            if task.attempt > 0 { text += "attempt \(task.attempt)  " }
            text += task.cell.isEmpty ? String(task.message.prefix(80)) : task.cell
            if !task.progress.isEmpty && !task.cell.isEmpty { text += "  " + task.progress }
            lines.append(text)
        }
        write(lines.joined(separator: "\n") + "\n")
        state.drawnLines = lines.count
    }

    private func line(_ text: String) {
        write("[\(Format.clock(Date()))] \(text)\n")
    }

    private func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}

/// Colours for states on a terminal.
enum Terminal {
    static func colored(_ text: String, for state: String) -> String {
        let code: String
        if state.hasPrefix("SUCCESS") { code = "32" }
        else if state.contains("FAILED") || state.contains("TIMEDOUT") || state.contains("INTERNAL_ERROR") { code = "31" }
        else if state.contains("CANCELED") || state.contains("EXCLUDED") { code = "33" }
        else if state.hasPrefix("RUNNING") { code = "36" }
        else { return text }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }
}
