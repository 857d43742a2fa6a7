import Kernels

// The Mamba kernels vectorise over channels: one `FloatVector` holds the same token's value for
// `channelLanes` consecutive channels, and a work item is one block of channels of one sequence.

/// Channels per `FloatVector` (16, 8 or 4), a constant after inlining.
@inline(__always) var channelLanes: Int { InstructionSet.vectorLanes }

/// The E channels cut into blocks of `channelLanes` (the last one may be partial).
struct ChannelBlocks {
    let channels: Int

    var count: Int { (channels + channelLanes - 1) / channelLanes }
    /// First channel of block `i`.
    func start(_ i: Int) -> Int { i * channelLanes }
    /// Channels in block `i` (1…lanes).
    func width(_ i: Int) -> Int { min(channelLanes, channels - i * channelLanes) }
}

/// The `count` (1…lanes) floats at `p` in the first lanes, zeros in the others (one load when full).
/// Zero lanes stay zero through the scan and the convolution, so partial blocks need no other care.
@inline(__always)
func loadChannels(_ p: UnsafePointer<Float>, _ count: Int) -> FloatVector {
    if count == channelLanes { return UnsafeRawPointer(p).loadUnaligned(as: FloatVector.self) }
    var v = FloatVector()
    for lane in 0..<count { v[lane] = p[lane] }
    return v
}

/// `p[lane * stride]` for the first `count` lanes, zeros in the others: a column of a `[E, K]` matrix.
@inline(__always)
func gatherChannels(_ p: UnsafePointer<Float>, stride: Int, _ count: Int) -> FloatVector {
    var v = FloatVector()
    for lane in 0..<count { v[lane] = p[lane * stride] }
    return v
}

/// Stores the first `count` (1…lanes) lanes of `v` at `p`.
@inline(__always)
func storeChannels(_ v: FloatVector, _ p: UnsafeMutablePointer<Float>, _ count: Int) {
    if count == channelLanes {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: FloatVector.self)
        return
    }
    for lane in 0..<count { p[lane] = v[lane] }
}

/// Adds the first `count` lanes of `v` to `p[lane * stride]`: a column of a `[E, K]` gradient.
@inline(__always)
func scatterAddChannels(_ v: FloatVector, _ p: UnsafeMutablePointer<Float>, stride: Int, _ count: Int) {
    for lane in 0..<count { p[lane * stride] += v[lane] }
}
