import Foundation
import Testing

/// The output policy of every command that writes (`WritingCommand.all`), run on the built binary:
/// existing files need --force, --force replaces regular writable files only, inputs are never written
/// onto whatever their spelling, and a failing command leaves nothing behind.
@Suite("Adversarial: every writing command keeps the output policy")
struct OutputPolicyTests {
    static let oldContents = Data("old contents\n".utf8)

    /// Runs `command` aimed at `target` (its last file), expects a clean failure, and checks that the
    /// command's other files were not written and no temporary is left.
    static func expectRefused(_ command: WritingCommand, _ fixture: CLIFixture, output: String, force: Bool,
                              mentioning text: String, _ label: String) throws {
        let result = try Attnlab.run(command.arguments(fixture, output) + (force ? ["--force"] : []))
        #expect(result.isCleanFailure, "\(command) \(label): \(result.status) \(result.standardError)")
        #expect(result.errorLine.contains(text), "\(command) \(label): \(result.errorLine)")
        for file in command.files(output).dropLast() {
            #expect(!FileManager.default.fileExists(atPath: file), "\(command) \(label): wrote \(file)")
        }
        let leftovers = try fixture.leftovers()
        #expect(leftovers.isEmpty, "\(command) \(label): left \(leftovers)")
    }

    @Test("an existing file is kept without --force", arguments: WritingCommand.all)
    func existingFileNeedsForce(command: WritingCommand) throws {
        let fixture = try CLIFixture()
        defer { fixture.remove() }
        let output = fixture.path("out"), target = command.files(output).last!
        try Self.oldContents.write(to: URL(fileURLWithPath: target))
        try Self.expectRefused(command, fixture, output: output, force: false, mentioning: "--force", "existing file")
        #expect(try Data(contentsOf: URL(fileURLWithPath: target)) == Self.oldContents)
    }

    @Test("--force replaces a regular file and keeps its mode", arguments: WritingCommand.all)
    func forceReplacesKeepingMode(command: WritingCommand) throws {
        let fixture = try CLIFixture()
        defer { fixture.remove() }
        let output = fixture.path("out"), target = command.files(output).last!
        try Self.oldContents.write(to: URL(fileURLWithPath: target))
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: target)
        let result = try Attnlab.run(command.arguments(fixture, output) + ["--force"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: target)) != Self.oldContents)
        let mode = try FileManager.default.attributesOfItem(atPath: target)[.posixPermissions] as? Int
        #expect(mode == 0o640)
        #expect(try fixture.leftovers().isEmpty)
    }

    @Test("--force refuses read-only files, directories, FIFOs and symbolic links", arguments: WritingCommand.all)
    func forceRefusesWhatIsNotARegularWritableFile(command: WritingCommand) throws {
        let fixture = try CLIFixture()
        defer { fixture.remove() }
        let manager = FileManager.default
        let elsewhere = fixture.path("elsewhere.txt")
        try Self.oldContents.write(to: URL(fileURLWithPath: elsewhere))
        let cases: [(label: String, make: (String) throws -> Void, text: String)] = [
            ("read-only", { path in
                try Self.oldContents.write(to: URL(fileURLWithPath: path))
                try manager.setAttributes([.posixPermissions: 0o444], ofItemAtPath: path)
            }, "read-only"),
            ("directory", { try manager.createDirectory(atPath: $0, withIntermediateDirectories: false) }, "directory"),
            ("FIFO", { #expect(mkfifo($0, 0o644) == 0) }, "FIFO"),
            ("symbolic link", { try manager.createSymbolicLink(atPath: $0, withDestinationPath: elsewhere) }, "symbolic link"),
            ("dangling link", { try manager.createSymbolicLink(atPath: $0, withDestinationPath: fixture.path("nowhere")) },
             "symbolic link"),
        ]
        for (index, probe) in cases.enumerated() {
            let output = fixture.path("out\(index)"), target = command.files(output).last!
            try probe.make(target)
            let before = try manager.attributesOfItem(atPath: target)
            try Self.expectRefused(command, fixture, output: output, force: true, mentioning: probe.text, probe.label)
            let after = try manager.attributesOfItem(atPath: target)
            #expect(after[.type] as? FileAttributeType == before[.type] as? FileAttributeType, "\(probe.label)")
            #expect(after[.systemFileNumber] as? Int == before[.systemFileNumber] as? Int, "\(probe.label) was replaced")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: elsewhere)) == Self.oldContents)
    }

    @Test("/dev/null is never replaced, even with --force", arguments: WritingCommand.all.filter { $0.files("x").count == 1 })
    func deviceIsRefused(command: WritingCommand) throws {
        let fixture = try CLIFixture()
        defer { fixture.remove() }
        let result = try Attnlab.run(command.arguments(fixture, "/dev/null") + ["--force"])
        #expect(result.isCleanFailure && result.errorLine.contains("character device"), "\(result.standardError)")
        let type = try FileManager.default.attributesOfItem(atPath: "/dev/null")[.type] as? FileAttributeType
        #expect(type == .typeCharacterSpecial)
    }

    @Test("an input is never written onto: same path, ./, symbolic link, hard link",
          arguments: WritingCommand.all.filter { !$0.inputs.isEmpty })
    func inputsAreNeverOutputs(command: WritingCommand) throws {
        let fixture = try CLIFixture()
        defer { fixture.remove() }
        let manager = FileManager.default
        for (index, input) in command.inputs.map({ $0(fixture) }).enumerated() {
            let before = try Data(contentsOf: URL(fileURLWithPath: input))
            let name = URL(fileURLWithPath: input).lastPathComponent
            let symlink = fixture.path("link\(index)"), hardLink = fixture.path("hard\(index)")
            try manager.createSymbolicLink(atPath: symlink, withDestinationPath: input)
            try manager.linkItem(atPath: input, toPath: hardLink)
            for spelling in [input, "./" + name, symlink, hardLink] {
                let result = try Attnlab.run(command.arguments(fixture, spelling) + ["--force"], in: fixture.directory.url.path)
                #expect(result.isCleanFailure && result.errorLine.contains("input"), "\(command) \(spelling): \(result.standardError)")
                #expect(try Data(contentsOf: URL(fileURLWithPath: input)) == before, "\(command) changed \(spelling)")
            }
        }
        #expect(try fixture.leftovers().isEmpty)
    }

    @Test("an empty output path or a missing directory is refused, nothing is created", arguments: WritingCommand.all)
    func badOutputPaths(command: WritingCommand) throws {
        let fixture = try CLIFixture()
        defer { fixture.remove() }
        let before = try FileManager.default.contentsOfDirectory(atPath: fixture.directory.url.path).sorted()
        for output in ["", fixture.path("missing/out")] {
            let result = try Attnlab.run(command.arguments(fixture, output), in: fixture.directory.url.path)
            #expect(result.isCleanFailure, "\(command) '\(output)': \(result.standardError)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.directory.url.path).sorted() == before)
    }

    @Test("a command that fails after its checks leaves nothing behind", arguments: WritingCommand.all)
    func failureWritesNothing(command: WritingCommand) throws {
        let fixture = try CLIFixture()
        defer { fixture.remove() }
        let output = fixture.path("out")
        let result = try Attnlab.run(command.failing(fixture, output))
        #expect(result.isCleanFailure, "\(result.standardError)")
        for file in command.files(output) { #expect(!FileManager.default.fileExists(atPath: file), "\(file)") }
        #expect(try fixture.leftovers().isEmpty)
    }
}
