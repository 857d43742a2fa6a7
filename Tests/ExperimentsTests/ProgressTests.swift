import Foundation
import Testing

@testable import Experiments

/// Collects what a reporter writes.
final class Captured: @unchecked Sendable {
    private let lock = NSLock()
    private var parts: [String] = []
    var text: String { lock.withLock { parts.joined() } }
    func append(_ part: String) { lock.withLock { parts.append(part) } }
}

@Suite("Progress")
struct ProgressTests {
    @Test func linesModeWritesOneLinePerPoint() {
        let output = Captured()
        let progress = ProgressReporter(total: 4, label: "scaling", mode: .lines, write: output.append)
        progress.skipped(1)
        progress.completed("N=512")
        progress.completed("N=1024")
        progress.finish()
        let lines = output.text.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0] == "[scaling] 1/4 resumed: 1 points done before")
        #expect(lines[1].hasPrefix("[scaling] 2/4 N=512 (ETA "))
        #expect(lines[2].hasPrefix("[scaling] 3/4 N=1024 (ETA ") && lines[2].hasSuffix("s)"))
        #expect(!output.text.contains("\r"))
    }

    @Test func barModeRedrawsOneLine() {
        let output = Captured()
        let progress = ProgressReporter(total: 4, label: "scaling", mode: .bar, write: output.append)
        progress.completed("N=256")
        progress.completed("N=512")
        progress.finish()
        let text = output.text
        #expect(text.hasPrefix("\rscaling ["))
        #expect(text.contains(" 50% 2/4 ETA ") && text.contains("N=512\u{1B}[K"))
        #expect(text.contains("[" + String(repeating: "#", count: 15) + String(repeating: "-", count: 15) + "]"))
        #expect(text.hasSuffix("\n") && text.filter { $0 == "\n" }.count == 1)
    }

    @Test func silentModeWritesNothing() {
        let output = Captured()
        let progress = ProgressReporter(total: 2, label: "x", mode: .silent, write: output.append)
        progress.skipped(1)
        progress.completed("a")
        progress.finish()
        #expect(output.text.isEmpty)
        #expect(ProgressReporter.Mode.automatic(quiet: true, json: false) == .silent)
        #expect(ProgressReporter.Mode.automatic(quiet: false, json: true) == .silent)
    }

    @Test func formatsDurations() {
        #expect(ProgressReporter.duration(12.4) == "12s")
        #expect(ProgressReporter.duration(185) == "3m05s")
        #expect(ProgressReporter.duration(3720) == "1h02m")
    }
}
