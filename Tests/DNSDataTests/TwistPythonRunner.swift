import Foundation
import TestSupport

/// Runs a Python script written to a temporary folder, as an independent oracle for the
/// typosquat and URLhaus tests.
enum TwistPythonRunner {
    struct Failure: Error, CustomStringConvertible {
        var status: Int32
        var output: String
        var description: String { "python3 exited \(status): \(output)" }
    }

    /// The script's standard output; `input` goes to its standard input.
    static func run(script: String, arguments: [String] = [], input: Data = Data()) throws -> Data {
        let folder = try TemporaryDirectory("twist-oracle")
        let scriptURL = folder.file("oracle.py")
        let inputURL = folder.file("input")
        let outputURL = folder.file("stdout")
        let errorURL = folder.file("stderr")
        try Data(script.utf8).write(to: scriptURL)
        try input.write(to: inputURL)
        try Data().write(to: outputURL)
        try Data().write(to: errorURL)

        // Files rather than pipes: a large answer cannot fill a pipe and stall both sides.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", scriptURL.path] + arguments
        process.standardInput = try FileHandle(forReadingFrom: inputURL)
        process.standardOutput = try FileHandle(forWritingTo: outputURL)
        process.standardError = try FileHandle(forWritingTo: errorURL)
        try process.run()
        process.waitUntilExit()
        let output = try Data(contentsOf: outputURL)
        guard process.terminationStatus == 0 else {
            let errors = (try? String(contentsOf: errorURL, encoding: .utf8)) ?? ""
            throw Failure(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self) + errors)
        }
        return output
    }
}
