import Foundation

/// Every experiment `attnlab experiment` knows, by name, and the report built from a results file.
public enum ExperimentCatalog {
    /// The experiment types in the order reports show them.
    static let all: [any Experiment.Type] = [
        ScalingExperiment.self, DirectSumExperiment.self, LargeEmbeddingExperiment.self, GradientCostExperiment.self,
        HardnessScalingExperiment.self, HeadsExperiment.self, RecallExperiment.self, CopyExperiment.self,
        BoundedEntriesExperiment.self, MixerHardnessExperiment.self,
        MixerFidelityExperiment.self, MixerScalingExperiment.self, AttnResExperiment.self, ModExperiment.self,
        MoDAExperiment.self,
    ]

    /// Command-line names, e.g. "scaling".
    public static var names: [String] { all.map { $0.name } }

    /// One report section per experiment configuration stored in `store` (experiments in catalog order,
    /// configurations in order of their first run), each analysing every point stored for it, then one
    /// per run with learning curves (`LearningCurveReport`).
    /// Experiments this version does not know are left out.
    /// - Throws: `ResultsStoreError` when the file cannot be read, or a decoding error for stored JSON
    ///   that does not match the experiment's types.
    public static func reportSections(from store: ResultsStore) throws -> [ReportSection] {
        let runs = try store.runs()
        var sections: [ReportSection] = []
        for type in all {
            var seen: Set<String> = []
            for run in runs where run.experiment == type.name && seen.insert(run.configHash).inserted {
                let records = try store.measurements(experiment: run.experiment, configHash: run.configHash)
                if records.isEmpty { continue }
                let analysis = try type.analysis(configJSON: run.configJSON, records: records)
                let configurations = runs.filter { $0.experiment == type.name }.map(\.configHash)
                let title = Set(configurations).count > 1 ? "\(type.title) (config \(run.configHash.prefix(8)))" : type.title
                sections.append(ReportSection(
                    title: title, summary: analysis.summary, claims: analysis.claims, table: analysis.table,
                    plots: analysis.plots))
            }
        }
        return sections + (try LearningCurveReport.sections(from: store, runs: runs))
    }
}
