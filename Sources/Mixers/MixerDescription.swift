/// A plain, `Codable` description of a token mixer: what an experiment stores and re-runs.
/// `makeMixer()` checks it and builds the mixer.
///
/// Fields a kind does not use are ignored. Missing fields decode to the defaults below.
/// - `features`: Performer random features m (default 256) or Linformer's projected length k (default 256).
/// - `degree`: the polynomial mixer's degree g ≥ 1 (default 2).
/// - `bound`: the polynomial mixer's entry bound B ≥ 0: P approximates exp on [−s·D·B², s·D·B²]. Default:
///   derived per call from the inputs, the largest |entry| of Q and K (see `PolynomialMixer`).
/// - `window`: the window mixer's width w ≥ 1 (required for `window`).
/// - `landmarks`: Nyström landmarks m ≥ 1 (default 64); must divide N (checked when the mixer runs).
/// - `seed`: Performer's features, Linformer's projections (default 0).
/// - `scale`: multiplies q·k (default 1/√D). Softmax-based mixers, Performer and the polynomial approximate
///   softmax(scale·QKᵀ); Based expands exp(scale·q·k) to second order; Nyström scales Q and K by √scale each
///   (d^{−1/4} by default, the paper's); GLA and RetNet multiply the queries by it. `linear` ignores it.
/// - `causal`: query i sees keys j ≤ i only (see `MixerKind` for which kinds allow which).
/// - `redraw`: Performer draws new features on every forward call (call k uses stream k of `seed`).
public struct MixerDescription: Codable, Sendable, Equatable {
    public var kind: MixerKind
    public var features: Int?
    public var degree: Int?
    public var bound: Float?
    public var window: Int?
    public var landmarks: Int?
    public var seed: UInt64
    public var scale: Float?
    public var causal: Bool
    public var redraw: Bool

    public init(
        kind: MixerKind, features: Int? = nil, degree: Int? = nil, bound: Float? = nil, window: Int? = nil,
        landmarks: Int? = nil, seed: UInt64 = 0, scale: Float? = nil, causal: Bool = false, redraw: Bool = false
    ) {
        self.kind = kind
        self.features = features
        self.degree = degree
        self.bound = bound
        self.window = window
        self.landmarks = landmarks
        self.seed = seed
        self.scale = scale
        self.causal = causal
        self.redraw = redraw
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            kind: try c.decode(MixerKind.self, forKey: .kind),
            features: try c.decodeIfPresent(Int.self, forKey: .features),
            degree: try c.decodeIfPresent(Int.self, forKey: .degree),
            bound: try c.decodeIfPresent(Float.self, forKey: .bound),
            window: try c.decodeIfPresent(Int.self, forKey: .window),
            landmarks: try c.decodeIfPresent(Int.self, forKey: .landmarks),
            seed: try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? 0,
            scale: try c.decodeIfPresent(Float.self, forKey: .scale),
            causal: try c.decodeIfPresent(Bool.self, forKey: .causal) ?? false,
            redraw: try c.decodeIfPresent(Bool.self, forKey: .redraw) ?? false)
    }

    /// Performer features or Linformer's k.
    var featureCount: Int { features ?? 256 }
    var polynomialDegree: Int { degree ?? 2 }
    var landmarkCount: Int { landmarks ?? 64 }

    /// The scale for head dimension `d`.
    func scale(headDimension d: Int) -> Float { scale ?? 1 / Float(d).squareRoot() }

    /// Checks the fields the kind uses; throws `MixerError` with a one-line message.
    public func validate() throws {
        if causal && !kind.allowsCausal {
            throw MixerError.unsupportedMasking("\(kind.rawValue) is not causal: it mixes the whole sequence at once; drop causal")
        }
        if !causal && !kind.allowsNonCausal {
            throw MixerError.unsupportedMasking("\(kind.rawValue) is causal by construction (each token sees only the past); pass causal")
        }
        if let scale, !(scale.isFinite && scale > 0) {
            throw MixerError.invalidParameter("scale must be a positive finite number, got \(scale)")
        }
        switch kind {
        case .window:
            guard let window else { throw MixerError.invalidParameter("window needs a width (window ≥ 1)") }
            guard (1...Self.largestWindow).contains(window) else {
                throw MixerError.invalidParameter("window must be in 1…\(Self.largestWindow), got \(window)")
            }
        case .performer, .linformer:
            guard (1...Self.largestFeatureCount).contains(featureCount) else {
                throw MixerError.invalidParameter("features must be in 1…\(Self.largestFeatureCount), got \(featureCount)")
            }
        case .polynomial:
            guard (1...Self.largestDegree).contains(polynomialDegree) else {
                throw MixerError.invalidParameter("degree must be in 1…\(Self.largestDegree), got \(polynomialDegree)")
            }
            if let bound, !(bound.isFinite && bound >= 0) {
                throw MixerError.invalidParameter("bound must be a finite number ≥ 0, got \(bound)")
            }
        case .nystrom:
            guard landmarkCount >= 1 else { throw MixerError.invalidParameter("landmarks must be at least 1, got \(landmarkCount)") }
        case .exact, .linear, .based, .gla, .retnet:
            break
        }
    }

    /// Largest accepted window (the attention masks compare 32-bit positions).
    public static let largestWindow = Int(Int32.max)
    /// Largest accepted random-feature or projection count (a [features, D] or [features, N] matrix).
    public static let largestFeatureCount = 1 << 16
    /// Largest accepted polynomial degree (the feature count C(D+g, g) is capped separately).
    public static let largestDegree = 16

    /// The mixer this describes.
    public func makeMixer() throws -> any TokenMixer {
        try validate()
        switch kind {
        case .exact, .window: return ExactMixer(descriptor: self)
        case .linear: return FeatureMapMixer(descriptor: self, featureMap: EluFeatureMap())
        case .based: return BasedMixer(descriptor: self)
        case .polynomial: return PolynomialMixer(descriptor: self)
        case .performer: return PerformerMixer(descriptor: self)
        case .linformer: return LinformerMixer(descriptor: self)
        case .nystrom: return NystromMixer(descriptor: self)
        case .gla, .retnet: return DecayedLinearMixer(descriptor: self)
        }
    }
}

extension MixerDescription {
    /// The polynomial mixer's feature count r = C(D + g, g) (saturating at Int.max).
    public static func polynomialFeatureCount(headDimension d: Int, degree g: Int) -> Int {
        PolynomialFeatureMap.binomial(d + g, g)
    }

    /// The largest degree g ≤ `largestDegree` whose C(D + g, g) features fit in `features` (at least 1).
    public static func largestPolynomialDegree(headDimension d: Int, features: Int) -> Int {
        (1...largestDegree).last { polynomialFeatureCount(headDimension: d, degree: $0) <= features } ?? 1
    }
}
