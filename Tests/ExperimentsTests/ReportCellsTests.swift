import Foundation
import Testing

@testable import Experiments

/// What the report's claims and machine tables print where a value is missing.
@Suite("Report cells")
struct ReportCellsTests {
    @Test func aClaimWithoutFitPrintsDashesAndTheReason() {
        let (claim, fit) = SweepAnalysis.exponentClaim("time grows as N²", prediction: .near(value: 2, tolerance: 0.15),
                                                       sizes: [256], values: [0.001])
        #expect(fit == nil)
        let content = ReportContent(title: "t", generatedAt: Date(), machine: nil, runs: [],
                                    sections: [ReportSection(title: "Scaling", claims: [claim])])
        let row = content.claimTables[0]!.rows[0]
        #expect(row[2] == "—" && row[3] == "—" && row[4] == "inconclusive")
        #expect(row[5].hasPrefix("no fit: "))
        #expect(!row.joined().contains("NaN"))
    }

    @Test func theMachineTableSaysHowManyThreadsThePeakUsed() {
        let machine = MachineDescription(cpuModel: "CPU", cores: 2, peakGFLOPS: 190.26, peakThreads: 2, operatingSystem: "OS")
        let content = ReportContent(title: "t", generatedAt: Date(), machine: machine, runs: [], sections: [])
        #expect(content.machine!.rows[0][2] == "190.3 (2 threads)")
    }
}
