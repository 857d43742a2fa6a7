/// Why a hardness instance, its input data or a generator request was rejected.
///
/// Sets are named "A", "B", "C" as in the problem definitions; rows and columns count from 0.
public enum HardnessError: Error, Equatable, CustomStringConvertible {
    /// A matrix shape with a negative extent.
    case invalidShape(rows: Int, columns: Int)
    /// Row-major data whose length is not rows × columns.
    case elementCountMismatch(expected: Int, actual: Int)
    /// Nested rows of different lengths.
    case raggedRows(row: Int, length: Int, expected: Int)
    /// A tensor that is not a 2-D matrix.
    case notAMatrix(shape: [Int])
    /// An entry other than 0 or 1 (the value as text).
    case nonBinaryEntry(row: Int, column: Int, value: String)
    /// A NaN entry.
    case notANumber(row: Int, column: Int)
    /// The problem takes this set, and it was not given.
    case missingSet(problem: HardnessProblem, set: String)
    /// The problem does not take this set, and it was given.
    case unexpectedSet(problem: HardnessProblem, set: String)
    /// Vectors of dimension 0.
    case zeroDimension
    /// A set whose vectors have another dimension than those of A.
    case dimensionMismatch(set: String, dimension: Int, expected: Int)
    /// A set with no vectors.
    case emptySet(set: String)
    /// A one-set problem (pairs i ≠ j) with fewer than two vectors.
    case tooFewVectors(set: String, count: Int)
    /// 3-OV with |A| ≠ |B| (token i of the construction holds a_i and b_i).
    case setSizeMismatch(a: Int, b: Int)
    /// A zero vector in a cosine problem, where its cosine is undefined.
    case zeroVector(set: String, row: Int)
    /// The problem needs a threshold t, and none was given.
    case missingThreshold(problem: HardnessProblem)
    /// The problem takes no threshold, and one was given.
    case unexpectedThreshold(problem: HardnessProblem)
    /// A threshold outside its range (the range as text), not finite, or not an integer where one is needed.
    case thresholdOutOfRange(problem: HardnessProblem, threshold: Double, allowed: String)
    /// `validate(layers:heads:)` on a problem other than 3-OV.
    case modelShapeNotApplicable(problem: HardnessProblem)
    /// Fewer than one layer or head.
    case invalidModelShape(layers: Int, heads: Int)
    /// 3-OV needs |C| = L·H: one vector of C per head.
    case headCountMismatch(setSize: Int, layers: Int, heads: Int)
    /// A generator parameter outside its range (the parameter, its value and the rule, as text).
    case invalidGeneratorParameter(name: String, value: String, rule: String)
    /// The generator could not produce the requested answer (why, as text).
    case cannotPlant(problem: HardnessProblem, reason: String)

    public var description: String {
        switch self {
        case let .invalidShape(rows, columns):
            return "invalid matrix shape \(rows) × \(columns): extents must be ≥ 0"
        case let .elementCountMismatch(expected, actual):
            return "expected \(expected) entries (rows × columns), got \(actual)"
        case let .raggedRows(row, length, expected):
            return "row \(row) has \(length) entries, but row 0 has \(expected)"
        case let .notAMatrix(shape):
            return "expected a 2-D matrix [n, d], got shape \(shape)"
        case let .nonBinaryEntry(row, column, value):
            return "entry (row \(row), column \(column)) is \(value): instances are 0/1 matrices"
        case let .notANumber(row, column):
            return "entry (row \(row), column \(column)) is NaN: instances are 0/1 matrices"
        case let .missingSet(problem, set):
            return "\(problem.rawValue) needs set \(set)"
        case let .unexpectedSet(problem, set):
            return "\(problem.rawValue) takes \(problem.setCount) set(s); set \(set) was also given"
        case .zeroDimension:
            return "vectors have dimension 0: the dimension d must be at least 1"
        case let .dimensionMismatch(set, dimension, expected):
            return "vectors of set \(set) have dimension \(dimension), but those of A have \(expected)"
        case let .emptySet(set):
            return "set \(set) is empty"
        case let .tooFewVectors(set, count):
            return "set \(set) has \(count) vector(s); a one-set problem needs at least 2 (pairs i ≠ j)"
        case let .setSizeMismatch(a, b):
            return "3-OV needs |A| = |B| (token i holds a_i and b_i), got |A| = \(a), |B| = \(b)"
        case let .zeroVector(set, row):
            return "row \(row) of set \(set) is the zero vector: its cosine similarity is undefined"
        case let .missingThreshold(problem):
            return "\(problem.rawValue) needs a threshold t"
        case let .unexpectedThreshold(problem):
            return "\(problem.rawValue) takes no threshold"
        case let .thresholdOutOfRange(problem, threshold, allowed):
            return "threshold \(threshold) is invalid for \(problem.rawValue): t must be \(allowed)"
        case let .modelShapeNotApplicable(problem):
            return "layers × heads apply to 3ov only, not to \(problem.rawValue)"
        case let .invalidModelShape(layers, heads):
            return "layers (\(layers)) and heads (\(heads)) must both be at least 1"
        case let .headCountMismatch(setSize, layers, heads):
            return "3-OV needs |C| = layers × heads (one vector of C per head): |C| = \(setSize), "
                + "layers × heads = \(layers) × \(heads) = \(layers * heads)"
        case let .invalidGeneratorParameter(name, value, rule):
            return "invalid \(name) \(value): \(rule)"
        case let .cannotPlant(problem, reason):
            return "cannot generate the requested \(problem.rawValue) instance: \(reason)"
        }
    }
}
