import Foundation
import Kernels
import Training

/// A configuration or option an experiment cannot run with.
public enum ExperimentError: Error, Equatable, CustomStringConvertible {
    /// A size or setting is out of range; the text names the option and the value.
    case invalidOption(String)
    /// No experiment has this name.
    case unknownExperiment(String)

    public var description: String {
        switch self {
        case .invalidOption(let text): text
        case .unknownExperiment(let name):
            "unknown experiment '\(name)'; choose one of \(ExperimentCatalog.names.joined(separator: ", "))"
        }
    }
}

/// How every point of a sweep is timed: the repeat policy and the threads the kernels use. Part of each
/// experiment's configuration, so a run with other settings is a different sweep (another config hash).
public struct MeasurementSettings: Codable, Sendable, Equatable {
    public var timing: TimingPolicy
    public var threads: Int

    public init(timing: TimingPolicy = MeasurementSettings.sweepTiming, threads: Int = Parallelism.defaultThreads) {
        self.timing = timing
        self.threads = threads
    }

    /// 1 warm-up, 5…30 repeats, stable at 2%, 3 s per point: enough for medians within a few percent
    /// while keeping the default sweeps at a few minutes on 2 cores.
    public static let sweepTiming = TimingPolicy(
        warmup: 1, minRepeats: 5, maxRepeats: 30, budgetSeconds: 3, stableRelativeSpread: 0.02)

    /// Throws unless `threads` ≥ 1.
    func validate() throws(ExperimentError) {
        guard threads >= 1 else { throw .invalidOption("threads must be at least 1, got \(threads)") }
    }
}

/// What an experiment concludes from the points measured so far: verdicts, a table and plots.
public struct ExperimentAnalysis: Sendable {
    /// One paragraph: what was measured and how.
    public var summary: String
    public var claims: [ClaimResult]
    public var table: ReportTable
    public var plots: [LogLogPlot]
    /// Extra record lists for `--json`, by key (e.g. `mixer-hardness`'s "accuracy").
    public var lists: [String: [[String: DataValue]]]

    public init(summary: String, claims: [ClaimResult], table: ReportTable, plots: [LogLogPlot],
                lists: [String: [[String: DataValue]]] = [:]) {
        self.summary = summary
        self.claims = claims
        self.table = table
        self.plots = plots
        self.lists = lists
    }
}

/// One field of a record in `ExperimentAnalysis.lists`: text or a number (JSON string or number).
public enum DataValue: Encodable, Sendable, Equatable {
    case text(String)
    case number(Double)

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let text): try container.encode(text)
        case .number(let number): try container.encode(number)
        }
    }
}

/// One measured point of a sweep with its stored values.
public struct ExperimentResult<Point: Sendable, Values: Sendable>: Sendable {
    public let point: Point
    public let values: Values

    public init(point: Point, values: Values) {
        self.point = point
        self.values = values
    }
}

/// A complexity experiment: a fixed, ordered list of sweep points derived from a configuration, a way
/// to measure one point, and an analysis of whichever points have been measured (a shard's share, a
/// resumed sweep, or a merged file). Points are identified in the results store by their canonical JSON,
/// the configuration by its hash, so the same command always names the same points.
public protocol Experiment: Sendable {
    associatedtype Configuration: Codable & Sendable
    associatedtype Point: Codable & Sendable & Hashable
    associatedtype Values: Codable & Sendable

    /// The command-line name, e.g. "scaling".
    static var name: String { get }
    /// A heading for reports, e.g. "Scaling of exact attention".
    static var title: String { get }
    /// Whether the runner measures the first missing point once, untimed, before the sweep (true by default).
    static var warmsUpFirstPoint: Bool { get }

    /// Validates `configuration` (sizes positive, lists non-empty, …).
    init(configuration: Configuration) throws(ExperimentError)

    var configuration: Configuration { get }
    /// Every point of the sweep, in the fixed order shards deal out.
    var points: [Point] { get }
    /// Short text for progress lines, e.g. "flash N=2048 m=64".
    func describe(_ point: Point) -> String
    /// Measures one point. `peakGFLOPS` is the machine's measured peak, stored beside the timings.
    func measure(_ point: Point, peakGFLOPS: Double?) throws -> Values
    /// Fits, verdicts, table and plots from the measured points (any subset of `points`).
    func analyse(_ results: [ExperimentResult<Point, Values>]) -> ExperimentAnalysis
    /// The learning curve of a point that trained a model, which the runner stores beside its values
    /// (`ResultsStore.recordCurve`); empty (the default) for experiments that train nothing.
    func learningCurve(_ values: Values) -> [CurvePoint]
}

extension Experiment {
    public static var warmsUpFirstPoint: Bool { true }

    public func learningCurve(_ values: Values) -> [CurvePoint] { [] }

    /// Decodes stored measurements of this experiment's configuration into typed results.
    public func results(from records: [MeasurementRecord]) throws -> [ExperimentResult<Point, Values>] {
        let decoder = JSONDecoder()
        return try records.map { record in
            ExperimentResult(
                point: try decoder.decode(Point.self, from: Data(record.pointKey.utf8)),
                values: try record.values(as: Values.self))
        }
    }

    /// The analysis of stored measurements taken with the configuration whose canonical JSON is `configJSON`.
    static func analysis(configJSON: String, records: [MeasurementRecord]) throws -> ExperimentAnalysis {
        let configuration = try JSONDecoder().decode(Configuration.self, from: Data(configJSON.utf8))
        let experiment = try Self(configuration: configuration)
        return experiment.analyse(try experiment.results(from: records))
    }
}
