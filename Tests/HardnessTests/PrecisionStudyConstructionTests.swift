import Hardness
import Kernels
import Testing

@Suite("Precision study of the constructions")
struct PrecisionStudyConstructionTests {
    @Test("integer-score constructions keep margin ≈ 0.5 in fp32 and fp64 as n grows")
    func integerScores() throws {
        let cases = [HardnessProblem.ov, .bichromaticMaxIP, .minIP].flatMap { problem in
            [8, 128].map { PrecisionStudyCase(problem: problem, setSize: $0, instances: 4) }
        } + [PrecisionStudyCase(problem: .threeOV, setSize: 64, thirdSetSize: 4, instances: 4)]
        let rows = try PrecisionStudy.run(cases, seed: 7)
        #expect(rows.count == cases.count)
        for row in rows {
            #expect(row.wrongFloat32 == 0 && row.wrongFloat64 == 0 && row.verdict == "float32", "\(row)")
            #expect(abs(row.minMarginFloat32 - row.minMarginFloat64) < 1e-3 && row.minMarginFloat64 > 0.3, "\(row)")
            #expect(row.gap == 1 && row.instances == 4)
        }
    }

    @Test("closest cosines: fp32 holds while the gap is large, fails at d = 96, fp64 always holds; the default follows")
    func closestCosines() throws {
        let cases = [16, 96].flatMap { d in
            [HardnessProblem.msd, .bichromaticLSD].map {
                PrecisionStudyCase(problem: $0, kind: .closestCosines, setSize: 2, dimension: d)
            }
        }
        let rows = try PrecisionStudy.run(cases)
        for row in rows {
            #expect(row.wrongFloat64 == 0 && row.minMarginFloat64 > 0.5 && row.instances == 2, "\(row)")
            #expect(row.verdict == (row.dimension == 16 ? "float32" : "float64"), "\(row)")
            let safe = HardnessConstruction.float32SafeGap(dimension: row.dimension)
            #expect(row.dimension == 16 ? row.gap > 1e-5 : row.gap < safe, "\(row)")
        }
        let table = PrecisionStudy.markdownTable(rows)
        #expect(table.split(separator: "\n").count == 2 + rows.count)
        #expect(table.contains("| msd | closest-cosines × 2 | 2 | 96 |") && table.contains("wrong) |"))
    }

    @Test("below the safe gap the default precision is float64, and it answers right")
    func defaultPrecisionFallsBack() throws {
        // The two closest cosines at d = 64 are ~9e-8 apart: fp32 flips one of them (see above).
        let rows = try PrecisionStudy.run([PrecisionStudyCase(problem: .lsd, kind: .closestCosines, setSize: 2, dimension: 64)])
        #expect(rows[0].wrongFloat32 > 0 && rows[0].wrongFloat64 == 0)
        var generator = InstanceGenerator(seed: 2)
        let wide = try generator.generate(.lsd, setSize: 40, dimension: 64, planted: .yes)
        let gap = try PairConstruction(wide).gap
        let expected: ConstructionPrecision = gap >= HardnessConstruction.float32SafeGap(dimension: 64) ? .float32 : .float64
        #expect(try HardnessConstruction.defaultPrecision(for: wide) == expected)
        #expect(try HardnessConstruction.solve(wide).answer == true)
    }
}
