import CZlib
import Foundation

/// Renders pages in headless Chromium (Debian's `chromium`, installed by
/// scripts/install-dependencies --test) for the report tests: the DOM after scripts ran, the
/// console messages, and screenshots.
public enum HeadlessChromium {
    /// What went wrong driving the browser.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The browser, from PATH.
    public static func executable() throws -> URL {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            for name in ["chromium", "chromium-browser"] {
                let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            }
        }
        throw Failure(description: "chromium is not installed: run scripts/install-dependencies --test (Debian package chromium)")
    }

    private static func arguments(_ profile: URL) -> [String] {
        ["--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--disable-extensions", "--hide-scrollbars",
         "--user-data-dir=\(profile.path)", "--enable-logging=stderr", "--v=0"]
    }

    /// Loads `page` and returns the DOM after its scripts ran, with every console message
    /// (errors, warnings, logs) the page produced.
    public static func dumpDOM(_ page: URL) throws -> (dom: String, console: [String]) {
        let profile = try TemporaryDirectory("runme-chromium")
        let result = try ChildProcess.run(try executable(), arguments(profile.url) + ["--dump-dom", page.absoluteString], timeout: 90)
        guard result.status == 0 else { throw Failure(description: "chromium --dump-dom exited \(result.status): \(result.stderr.suffix(2000))") }
        return (result.stdout, consoleLines(result.stderr))
    }

    /// A screenshot of `page` at `width` × `height` CSS pixels, and the console messages.
    public static func screenshot(_ page: URL, to png: URL, width: Int = 1280, height: Int = 2000) throws -> [String] {
        let profile = try TemporaryDirectory("runme-chromium")
        let result = try ChildProcess.run(try executable(), arguments(profile.url) + ["--window-size=\(width),\(height)", "--screenshot=\(png.path)", page.absoluteString], timeout: 90)
        guard result.status == 0, FileManager.default.fileExists(atPath: png.path) else {
            throw Failure(description: "chromium --screenshot exited \(result.status): \(result.stderr.suffix(2000))")
        }
        return consoleLines(result.stderr)
    }

    /// Chromium logs each console message on stderr as `...:INFO:CONSOLE(line)] "text", source: ...`.
    static func consoleLines(_ stderr: String) -> [String] {
        stderr.split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(String.init)
    }

    /// Pixel statistics of a PNG (8-bit RGB or RGBA, as Chromium writes): its size, the share
    /// of pixels that differ from the top-left (background) pixel, and the number of distinct
    /// colours (counted up to 5,000).
    public static func pixelStatistics(_ png: URL) throws -> (width: Int, height: Int, nonBackground: Double, colours: Int) {
        let data = [UInt8](try Data(contentsOf: png))
        guard data.count > 8, data[0] == 0x89, data[1] == 0x50 else { throw Failure(description: "\(png.path) is not a PNG") }
        func be32(_ at: Int) -> Int { Int(data[at]) << 24 | Int(data[at + 1]) << 16 | Int(data[at + 2]) << 8 | Int(data[at + 3]) }
        var position = 8, width = 0, height = 0, channels = 0
        var compressed: [UInt8] = []
        while position + 8 <= data.count {
            let length = be32(position)
            let kind = String(decoding: data[(position + 4)..<(position + 8)], as: UTF8.self)
            let body = position + 8
            if kind == "IHDR" {
                width = be32(body)
                height = be32(body + 4)
                guard data[body + 8] == 8, data[body + 9] == 2 || data[body + 9] == 6 else { throw Failure(description: "unsupported PNG type in \(png.path)") }
                channels = data[body + 9] == 2 ? 3 : 4
            } else if kind == "IDAT" {
                compressed.append(contentsOf: data[body..<(body + length)])
            }
            position = body + length + 4
        }
        let stride = width * channels
        var raw = [UInt8](repeating: 0, count: height * (stride + 1))
        var rawLength = uLongf(raw.count)
        let status = raw.withUnsafeMutableBufferPointer { out in
            compressed.withUnsafeBufferPointer { input in
                uncompress(out.baseAddress, &rawLength, input.baseAddress, uLong(input.count))
            }
        }
        guard status == Z_OK, Int(rawLength) == raw.count else { throw Failure(description: "cannot inflate \(png.path): zlib status \(status)") }
        var previous = [UInt8](repeating: 0, count: stride)
        var line = [UInt8](repeating: 0, count: stride)
        var background: (UInt8, UInt8, UInt8)?
        var other = 0
        var colours = Set<UInt32>()
        for y in 0..<height {
            let start = y * (stride + 1)
            let filter = raw[start]
            for i in 0..<stride {
                let x = raw[start + 1 + i]
                let a = i >= channels ? Int(line[i - channels]) : 0
                let b = Int(previous[i])
                let c = i >= channels ? Int(previous[i - channels]) : 0
                let predictor: Int
                switch filter {
                case 1: predictor = a
                case 2: predictor = b
                case 3: predictor = (a + b) / 2
                case 4:
                    let p = a + b - c
                    let pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                    predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c
                default: predictor = 0
                }
                line[i] = UInt8(truncatingIfNeeded: Int(x) + predictor)
            }
            for x in Swift.stride(from: 0, to: stride, by: channels) {
                let pixel = (line[x], line[x + 1], line[x + 2])
                if background == nil { background = pixel }
                if let background, pixel != background { other += 1 }
                if colours.count < 5000 { colours.insert(UInt32(pixel.0) << 16 | UInt32(pixel.1) << 8 | UInt32(pixel.2)) }
            }
            swap(&previous, &line)
        }
        return (width, height, Double(other) / Double(max(1, width * height)), colours.count)
    }
}
