import Foundation
import Testing

/// Every command that reads files, given files that are not what it expects: each fails with one clear
/// line, no crash, writes nothing, and leaves the file as it was.
@Suite("Adversarial: hostile input files")
struct HostileInputTests {
    /// Hostile inputs, made in the fixture's directory: a label, the path, and what the error must say.
    static func hostileInputs(_ fixture: CLIFixture) throws -> [(label: String, path: String, text: String)] {
        let empty = fixture.path("empty.bin"), text = fixture.path("notes.txt"), folder = fixture.path("folder")
        let fifo = fixture.path("fifo"), truncated = fixture.path("truncated.npy")
        try Data().write(to: URL(fileURLWithPath: empty))
        try Data(String(repeating: "my precious notes\n", count: 20).utf8).write(to: URL(fileURLWithPath: text))
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        #expect(mkfifo(fifo, 0o644) == 0)
        try Data(try Data(contentsOf: URL(fileURLWithPath: fixture.queries)).prefix(100)).write(to: URL(fileURLWithPath: truncated))
        return [
            ("missing", fixture.path("missing.npy"), ""), ("0-byte", empty, ""), ("text", text, ""),
            ("truncated", truncated, ""), ("directory", folder, "directory"), ("FIFO", fifo, "FIFO"),
            ("/dev/null", "/dev/null", "character device"), ("/dev/stdin", "/dev/stdin", ""),
        ]
    }

    @Test("bad files fail cleanly and stay untouched", arguments: ReadingCommand.all)
    func hostileFiles(command: ReadingCommand) throws {
        let fixture = try CLIFixture()
        defer { fixture.remove() }
        for (index, input) in try Self.hostileInputs(fixture).enumerated() {
            let isRegular = input.label != "FIFO" && !input.path.hasPrefix("/dev/")
            let before = isRegular ? try? Data(contentsOf: URL(fileURLWithPath: input.path)) : nil
            let output = fixture.path("out\(index)")
            let result = try Attnlab.run(command.arguments(fixture, input.path, output))
            #expect(result.isCleanFailure, "\(command) \(input.label): \(result.status) \(result.standardError)")
            #expect(input.text.isEmpty || result.errorLine.contains(input.text), "\(command) \(input.label): \(result.errorLine)")
            #expect(!FileManager.default.fileExists(atPath: output), "\(command) \(input.label) wrote \(output)")
            if isRegular {
                #expect((try? Data(contentsOf: URL(fileURLWithPath: input.path))) == before, "\(command) changed \(input.label)")
            }
        }
        #expect(try fixture.leftovers().isEmpty)
    }
}
