import Foundation

/// A one-line progress bar (bytes, rate, ETA) on a terminal.
///
/// It draws nothing unless the file descriptor is a terminal, so logs and pipes stay clean,
/// and nothing for downloads that finish within `delay`, so small files do not flicker.
public final class ProgressBar: ProgressReporter, @unchecked Sendable {
    /// Whether this bar draws at all (the descriptor is a terminal, or drawing was forced).
    public let isEnabled: Bool
    private let fileDescriptor: Int32
    private let delay: Duration
    private let width: Int
    private let lock = NSLock()
    private var lastDraw: ContinuousClock.Instant?
    private var drawn = false
    private var lastProgress: TransferProgress?

    /// Creates a bar writing to `fileDescriptor`.
    ///
    /// - Parameters:
    ///   - fileDescriptor: where to draw; standard error by default.
    ///   - delay: how long a download must run before the bar appears.
    ///   - width: the width of the bar itself, in characters.
    ///   - force: draw even when the descriptor is not a terminal (for tests).
    public init(fileDescriptor: Int32 = STDERR_FILENO, delay: Duration = .seconds(1), width: Int = 24, force: Bool = false) {
        self.fileDescriptor = fileDescriptor
        self.delay = delay
        self.width = max(5, width)
        isEnabled = force || isatty(fileDescriptor) == 1
    }

    /// A bar on standard error, quiet unless standard error is a terminal.
    public static func standardError() -> ProgressBar {
        ProgressBar()
    }

    public func update(_ progress: TransferProgress) {
        guard isEnabled, progress.elapsed >= delay else { return }
        let now = ContinuousClock.now
        lock.lock()
        defer { lock.unlock() }
        lastProgress = progress
        // A few redraws a second are enough for a human and cheap for the transfer thread.
        if let lastDraw, now - lastDraw < .milliseconds(200) { return }
        lastDraw = now
        drawn = true
        emit("\r" + Self.render(progress, width: width) + "\u{1B}[K")
    }

    public func finish(_ progress: TransferProgress?, succeeded: Bool) {
        guard isEnabled else { return }
        lock.lock()
        defer { lock.unlock() }
        guard drawn else { return }
        if let final = progress ?? lastProgress {
            emit("\r" + Self.render(final, width: width) + (succeeded ? "" : "  failed") + "\u{1B}[K\n")
        } else {
            emit("\n")
        }
        drawn = false
        lastDraw = nil
    }

    /// The text of one bar: `name [=====>    ]  42%  1.2 MiB / 3.0 MiB  512.0 KiB/s  ETA 0:04`.
    public static func render(_ progress: TransferProgress, width: Int) -> String {
        var name = progress.source.split(separator: "/").last.map(String.init) ?? progress.source
        if name.count > 30 { name = String(name.prefix(27)) + "..." }
        let rate = FormatUnits.bytes(Int64(progress.bytesPerSecond)) + "/s"
        guard let expected = progress.expectedBytes, expected > 0 else {
            return "\(name)  \(FormatUnits.bytes(progress.receivedBytes))  \(rate)"
        }
        let fraction = min(1, max(0, Double(progress.receivedBytes) / Double(expected)))
        let filled = Int(fraction * Double(width))
        var bar = String(repeating: "=", count: filled)
        if filled < width { bar += ">" + String(repeating: " ", count: width - filled - 1) }
        let eta = progress.estimatedRemaining.map { "  ETA " + FormatUnits.clock($0) } ?? ""
        return "\(name) [\(bar)] \(String(format: "%3d", Int(fraction * 100)))%  "
            + "\(FormatUnits.bytes(progress.receivedBytes)) / \(FormatUnits.bytes(expected))  \(rate)\(eta)"
    }

    private func emit(_ text: String) {
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let written = write(fileDescriptor, base + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                // A broken terminal must not break the download: drop the rest of the line.
                if written <= 0 { return }
                offset += written
            }
        }
    }
}
