import ArgumentParser
import Training

/// The comma-separated lists the training experiments (`recall`, `copy`) sweep over.
enum TrainingSweepLists {
    /// `--mixers exact,linear,mamba:16` → the mixer choices, or a one-line error naming the unknown one.
    static func mixers(_ list: String) throws -> [MixerChoice] {
        try list.split(separator: ",").map { name in
            guard let choice = MixerChoice(argument: String(name)) else {
                throw ValidationError("unknown mixer \(name) in --mixers; expected \(MixerChoice.names)")
            }
            return choice
        }
    }

    /// `--learning-rates 1e-3,3e-3` → positive finite rates, or a one-line error.
    static func learningRates(_ list: String) throws -> [Float] {
        try list.split(separator: ",").map { text in
            guard let rate = Float(text), rate > 0, rate.isFinite else {
                throw ValidationError("--learning-rates must be positive numbers, got \(text)")
            }
            return rate
        }
    }
}
