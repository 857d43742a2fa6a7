import ArgumentParser
import Formats
import Foundation
import Hardness

struct HardnessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hardness",
        abstract: "Hardness problems as runnable transformers: generate instances, solve them, study precision.",
        discussion: HardnessProblem.allCases.map { "\($0.rawValue): \($0.summary)" }.joined(separator: "\n"),
        subcommands: [HardnessGenerateCommand.self, HardnessSolveCommand.self, HardnessPrecisionCommand.self])
}

extension HardnessProblem: ExpressibleByArgument {}
extension PlantedAnswer: ExpressibleByArgument {}
extension ConstructionPrecision: ExpressibleByArgument {}

/// Reading and writing instance sets as `.npy` 0/1 matrices.
enum InstanceFiles {
    /// The paths `prefix.a.npy`, `prefix.b.npy`, `prefix.c.npy` for the sets `problem` has.
    static func paths(prefix: String, problem: HardnessProblem) -> [String] {
        ["a", "b", "c"].prefix(problem.setCount).map { "\(prefix).\($0).npy" }
    }

    /// Reads a 2-D `.npy` array of any dtype as a 0/1 matrix; `role` names the set in errors.
    static func read(_ path: String, role: String) throws -> BinaryMatrix {
        let array: NDArray
        do {
            array = try NumpyFile.read(contentsOf: URL(fileURLWithPath: path))
        } catch let error as FormatError {
            throw CommandError("\(role): \(error)")
        }
        do {
            guard array.shape.count == 2 else { throw HardnessError.notAMatrix(shape: array.shape) }
            return try BinaryMatrix(validating: array.doubles(), rows: array.shape[0], columns: array.shape[1])
        } catch let error as HardnessError {
            throw CommandError("\(role) (\(path)): \(error)")
        }
    }

    /// A 0/1 matrix as the bytes of a float32 `.npy` array `[n, d]`.
    static func npy(_ matrix: BinaryMatrix) -> Data {
        ArrayFiles.npy(matrix.tensor(Float.self), dtype: .float32)
    }
}

/// Runs `body`, turning the Hardness layer's typed errors into one-line command errors.
func withHardnessErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as HardnessError {
        throw CommandError("\(error)")
    } catch let error as ConstructionError {
        throw CommandError("\(error)")
    }
}
