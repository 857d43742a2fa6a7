import Foundation
import Testing

/// Out-of-range numbers on every command: a clean one-line error, never a trap, a hang or a huge
/// allocation. Add rows for new commands' integer options.
@Suite("Adversarial: out-of-range numbers")
struct NumberRangeTests {
    /// Invocations (with `{q}`, `{k}`, `{v}`, `{a}`, `{db}`, `{out}` standing for the fixture's files) and a
    /// text their error must contain.
    static let probes: [(arguments: [String], text: String)] = [
        (["attention", "--queries", "{q}", "--keys", "{k}", "--values", "{v}", "--output", "{out}", "--mask", "window:2147483648"], "window"),
        (["attention", "--queries", "{q}", "--keys", "{k}", "--values", "{v}", "--output", "{out}", "--mask", "window:99999999999999999999"], "window"),
        (["attention", "--queries", "{q}", "--keys", "{k}", "--values", "{v}", "--output", "{out}", "--mask", "window:0"], "window"),
        (["attention", "--queries", "{q}", "--keys", "{k}", "--values", "{v}", "--output", "{out}", "--scale=3.4e38"], "float32"),
        (["attention", "--queries", "{q}", "--keys", "{k}", "--values", "{v}", "--output", "{out}", "--scale=1e39"], "--scale"),
        (["bench", "gemm", "--m", "4294967296", "--n", "4294967296", "--k", "4294967296"], "limit"),
        (["bench", "gemm", "--m", "8", "--n", "8", "--k", "8", "--threads", "4294967296"], "--threads"),
        (["bench", "gemm", "--m", "8", "--n", "8", "--k", "8", "--repeat", "10000000000"], "--repeat"),
        (["bench", "attention", "--seq", "9223372036854775807", "--heads", "8"], "limit"),
        (["bench", "attention", "--seq", "64", "--threads", "0"], "--threads"),
        (["bench", "attention", "--seq", "64", "--depth-slots", "0"], "--depth-slots"),
        (["bench", "attention", "--seq", "64", "--depth-slots", "4294967296"], "--depth-slots"),
        (["bench", "attention", "--seq", "1048576", "--heads", "64", "--depth-slots", "1024"], "limit"),
        (["bench", "transformer", "--seq", "4294967296", "--dim", "64"], "limit"),
        (["bench", "transformer", "--seq", "64", "--dim", "64", "--layers", "9223372036854775807"], "limit"),
        (["bench", "strassen", "--size", "99999999999"], "--size"),
        (["hardness", "generate", "ov", "--n", "100000000", "--dim", "1000", "--output", "{out}"], "GB"),
        (["hardness", "generate", "ov", "--n", "9223372036854775807", "--output", "{out}"], "--n"),
        (["hardness", "generate", "ov", "--n", "1000000", "--dim", "8", "--planted", "yes", "--output", "{out}"], "brute force"),
        (["hardness", "generate", "ov", "--n", "-1", "--output", "{out}"], "--n"),
        (["hardness", "generate", "ov", "--n", "4", "--dim", "0", "--output", "{out}"], "--dim"),
        (["hardness", "generate", "3ov", "--n", "4", "--c-size", "9223372036854775807", "--output", "{out}"], "--c-size"),
        (["hardness", "generate", "ov", "--n", "4", "--seed", "-1", "--output", "{out}"], "seed"),
        (["hardness", "generate", "ov", "--n", "4", "--output", ""], "--output"),
        (["hardness", "generate", "ov", "--n", "8", "--density", "0", "--planted", "no", "--output", "{out}"], "density"),
        (["hardness", "generate", "msd", "--n", "8", "--density", "0", "--output", "{out}"], "density"),
        (["hardness", "solve", "3ov", "--a", "{a}", "--layers", "9223372036854775807", "--heads", "9223372036854775807"], "--layers"),
        (["hardness", "solve", "msd", "--a", "{a}", "--threshold", "nan"], "threshold"),
        (["experiment", "scaling", "--db", "{db}", "--threads", "4294967296"], "--threads"),
        (["experiment", "scaling", "--db", "{db}", "--max-repeats", "1000000000000"], "--max-repeats"),
        (["experiment", "scaling", "--db", "{db}", "--lengths", "4294967296"], "--lengths"),
        (["experiment", "scaling", "--db", "{db}", "--shard", "99999999999999999999/2"], "shard"),
        (["experiment", "scaling", "--db", ""], "--db"),
        (["experiment", "scaling", "--db", "{db}", "--heads", "4294967296"], "--heads"),
        (["experiment", "direct-sum", "--db", "{db}", "--length", "4294967296"], "--length"),
        (["experiment", "gradient-cost", "--db", "{db}", "--heads", "4294967296"], "--heads"),
        (["experiment", "hardness-scaling", "--db", "{db}", "--third-set-size", "4294967296"], "--third-set-size"),
        (["experiment", "heads", "--db", "{db}", "--epochs", "4294967296"], "--epochs"),
        (["experiment", "recall", "--db", "{db}", "--steps", "4294967296"], "--steps"),
        (["experiment", "recall", "--db", "{db}", "--widths", "0"], "widths"),
        (["experiment", "recall", "--db", "{db}", "--mixers", "exact,hyena"], "hyena"),
        (["experiment", "recall", "--db", "{db}", "--lengths", "64", "--pairs", "4,8"], "--pairs"),
        (["experiment", "recall", "--db", "{db}", "--mixers", "nystrom:4"], "not causal"),
        (["experiment", "mod", "--db", "{db}", "--capacity", "0"], "capacity"),
        (["experiment", "mod", "--db", "{db}", "--timing-length", "4294967296"], "--timing-length"),
        (["experiment", "mod", "--db", "{db}", "--attention-lengths", "1048576"], "--attention-lengths"),
        (["experiment", "mod", "--db", "{db}", "--every", "0"], "--every"),
        (["experiment", "mod", "--db", "{db}", "--steps", "4294967296"], "--steps"),
        (["experiment", "mod", "--db", "{db}", "--tasks", "copy"], "tasks"),
        (["experiment", "copy", "--db", "{db}", "--max-length", "4294967296"], "--max-length"),
        (["experiment", "copy", "--db", "{db}", "--widths", "1048576"], "--widths"),
        (["experiment", "copy", "--db", "{db}", "--heads", "0"], "--heads"),
        (["experiment", "copy", "--db", "{db}", "--min-length", "9", "--max-length", "4"], "max length"),
        (["experiment", "copy", "--db", "{db}", "--widths", "30", "--heads", "4"], "multiple"),
        (["experiment", "copy", "--db", "{db}", "--mixers", "linformer:8"], "not causal"),
        (["train", "--task", "mqar", "--mixer", "mamba:0"], "mamba"),
        (["train", "--task", "mqar", "--mixer", "performer:9223372036854775807"], "performer"),
        (["train", "--task", "mqar", "--mixer", "linformer"], "not causal"),
        (["train", "--task", "d-retrieval", "--mixer", "gla"], "causal only"),
        (["train", "--task", "mqar", "--results", "{db}", "--curve-points", "4294967296"], "--curve-points"),
        (["train", "--task", "mqar", "--attention-residuals", "block:4294967296"], "--attention-residuals"),
        (["train", "--task", "mqar", "--attention-residuals", "block:3"], "divide"),
        (["train", "--task", "mqar", "--norm", "post", "--attention-residuals", "full"], "pre-norm"),
        (["experiment", "attnres", "--db", "{db}", "--steps", "4294967296"], "--steps"),
        (["experiment", "attnres", "--db", "{db}", "--depths", "4096"], "depths"),
        (["experiment", "attnres", "--db", "{db}", "--blocks", "3"], "blocks"),
        (["train", "--task", "text", "--routing-capacity", "0"], "--routing-capacity"),
        (["train", "--task", "text", "--routing-capacity", "1.5"], "--routing-capacity"),
        (["train", "--task", "text", "--routing-capacity", "nan"], "--routing-capacity"),
        (["train", "--task", "text", "--routing-capacity", "0.5", "--routing-every", "4294967296"], "--routing-every"),
        (["train", "--task", "text", "--routing-capacity", "0.5", "--routing-mode", "sideways"], "--routing-mode"),
        (["train", "--task", "text", "--routing-every", "2"], "--routing-capacity"),
        (["train", "--task", "text", "--depth-keys", "--mixer", "linear"], "--depth-keys needs --mixer exact"),
        (["train", "--task", "text", "--depth-ffn-slots"], "--depth-ffn-slots needs --depth-keys"),
        (["train", "--task", "mqar", "--depth-keys", "--depth-ffn-slots"], "depth FFN slots need blocks with an MLP"),
        (["train", "--task", "text", "--depth-keys", "--attention-residuals", "full"], "choose at most one"),
        (["experiment", "moda", "--db", "{db}", "--layers", "4294967296"], "--layers"),
        (["experiment", "moda", "--db", "{db}", "--context", "1000000"], "--context"),
        (["experiment", "moda", "--db", "{db}", "--norms", "none"], "--norms"),
        (["experiment", "bounded-entries", "--db", "{db}", "--max-features", "4294967296"], "maximum features"),
        (["experiment", "bounded-entries", "--db", "{db}", "--lengths", "1048576"], "lengths (n)"),
        (["experiment", "bounded-entries", "--db", "{db}", "--ratios", "0,1"], "ratios"),
        (["experiment", "mixer-hardness", "--db", "{db}", "--instances", "4294967296"], "--instances"),
        (["experiment", "mixer-hardness", "--db", "{db}", "--budgets", "0"], "budgets"),
        (["experiment", "mixer-hardness", "--db", "{db}", "--set-sizes", "1048576"], "set sizes"),
        (["bench", "transformer", "--seq", "64", "--dim", "64", "--mlp-hidden", "4611686018427387904"], "limit"),
        (["bench", "mixer", "--mixer", "mamba", "--seq", "9223372036854775807", "--width", "64"], "limit"),
        (["bench", "mixer", "--mixer", "mamba", "--seq", "64", "--width", "9223372036854775807"], "--width"),
        (["experiment", "mixer-fidelity", "--db", "{db}", "--heads", "4294967296"], "--heads"),
        (["experiment", "mixer-fidelity", "--db", "{db}", "--reference-rows", "0"], "reference rows"),
        (["experiment", "mixer-fidelity", "--db", "{db}", "--landmarks", "3"], "landmark"),
        (["experiment", "mixer-scaling", "--db", "{db}", "--landmarks", "4294967296"], "--landmarks"),
        (["experiment", "mixer-scaling", "--db", "{db}", "--degree", "0"], "degree"),
        (["mix", "--mixer", "window", "--causal", "--window", "0", "--queries", "{q}", "--keys", "{k}", "--values", "{v}", "--output", "{out}"], "window"),
        (["mix", "--mixer", "performer", "--features", "0", "--queries", "{q}", "--keys", "{k}", "--values", "{v}", "--output", "{out}"], "features"),
        (["mix", "--mixer", "performer", "--features", "9223372036854775807", "--queries", "{q}", "--keys", "{k}", "--values", "{v}", "--output", "{out}"], "features"),
        (["mix", "--mixer", "polynomial", "--degree", "0", "--queries", "{q}", "--keys", "{k}", "--values", "{v}", "--output", "{out}"], "degree"),
        (["mix", "--mixer", "nystrom", "--landmarks", "4294967296", "--queries", "{q}", "--keys", "{k}", "--values", "{v}", "--output", "{out}"], "landmarks"),
        (["bench", "mixer", "--mixer", "linear", "--seq", "9223372036854775807", "--heads", "1", "--head-dim", "64"], "limit"),
        (["bench", "mixer", "--mixer", "linear", "--seq", "64", "--heads", "4294967296", "--head-dim", "64"], "limit"),
    ]

    @Test("each probe fails with one clear line", arguments: probes.indices)
    func probe(index: Int) throws {
        let fixture = try CLIFixture()
        defer { fixture.remove() }
        let (template, text) = Self.probes[index]
        let substitutions = ["{q}": fixture.queries, "{k}": fixture.keys, "{v}": fixture.values, "{a}": fixture.setA,
                             "{db}": fixture.database, "{out}": fixture.path("out")]
        let arguments = template.map { substitutions[$0] ?? $0 }
        let result = try Attnlab.run(arguments)
        #expect(result.isCleanFailure, "\(template): \(result.status) \(result.standardError)")
        #expect(result.errorLine.contains(text), "\(template): \(result.errorLine)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.directory.url.path).filter { $0.hasPrefix("out") }
            .isEmpty, "\(template) wrote output")
    }

    @Test("ATTNLAB_THREADS that is not a sane thread count is replaced, with one warning line",
          arguments: ["0", "-3", "abc", "", "4294967296", "100000000", "99999999999999999999999"])
    func threadsVariable(value: String) throws {
        let result = try Attnlab.run(["bench", "gemm", "--m", "8", "--n", "8", "--k", "8", "--repeat", "1"],
                                     environment: ["ATTNLAB_THREADS": value])
        #expect(result.status == 0 && !result.signalled, "\(result.standardError)")
        let warnings = result.standardError.split(separator: "\n").filter { $0.hasPrefix("warning: ATTNLAB_THREADS=") }
        #expect(warnings.count == 1, "\(result.standardError)")
        #expect(result.standardOutput.contains("threads="))
    }
}
