// The facts about the SIMD instruction set that the kernels are tiled for, in one place.
//
// Package.swift reads the target CPU and defines `ATTNLAB_AVX512` (32 × 512-bit registers),
// `ATTNLAB_AVX2` (16 × 256-bit) or neither (128-bit: SSE4.2 with 16 registers, or NEON on arm64 with 32),
// and `ATTNLAB_FMA` when fused multiply-add exists (always on arm64). Every kernel is written once
// against the names below; only this file changes per instruction set, as BLIS keeps one
// `bli_cntx_init_<arch>.c` per CPU under one algorithm.
//
// | ISA      | FloatVector | TileRow (NR lanes) | micro-tile | accumulators          |
// |----------|-------------|--------------------|------------|-----------------------|
// | AVX-512  | SIMD16      | SIMD64 (4 zmm)     | 6 × 64     | 24 of 32 zmm          |
// | AVX2     | SIMD8       | SIMD16 (2 ymm)     | 6 × 16     | 12 of 16 ymm (BLIS)   |
// | 128-bit  | SIMD4       | SIMD8 (2 xmm)      | 6 × 8      | 12 of 16 xmm / 32 NEON|
//
// Swift's generic SIMD code runs element by element (overloads resolve to the protocol's scalar
// loops), so these are concrete typealiases chosen at compile time, never generic parameters.

#if ATTNLAB_AVX512
/// One native SIMD register of floats (16 lanes of a zmm register).
public typealias FloatVector = SIMD16<Float>
/// Integer lanes matching `FloatVector`, for bit manipulation and lane indices.
public typealias IntVector = SIMD16<Int32>
/// One row of the register micro-tile: `GEMMTile.columns` floats held in four zmm registers.
public typealias TileRow = SIMD64<Float>
/// Integer lanes matching `TileRow` (mask tests on query/key indices).
public typealias TileRowIndices = SIMD64<Int32>
#elseif ATTNLAB_AVX2
/// One native SIMD register of floats (8 lanes of a ymm register).
public typealias FloatVector = SIMD8<Float>
/// Integer lanes matching `FloatVector`, for bit manipulation and lane indices.
public typealias IntVector = SIMD8<Int32>
/// One row of the register micro-tile: `GEMMTile.columns` floats held in two ymm registers.
public typealias TileRow = SIMD16<Float>
/// Integer lanes matching `TileRow` (mask tests on query/key indices).
public typealias TileRowIndices = SIMD16<Int32>
#else
/// One native SIMD register of floats (4 lanes of an xmm or NEON register).
public typealias FloatVector = SIMD4<Float>
/// Integer lanes matching `FloatVector`, for bit manipulation and lane indices.
public typealias IntVector = SIMD4<Int32>
/// One row of the register micro-tile: `GEMMTile.columns` floats held in two 128-bit registers.
public typealias TileRow = SIMD8<Float>
/// Integer lanes matching `TileRow` (mask tests on query/key indices).
public typealias TileRowIndices = SIMD8<Int32>
#endif

/// Floats per `FloatVector` (16, 8 or 4), a constant after inlining.
@inlinable @inline(__always)
var vectorLanes: Int { MemoryLayout<FloatVector>.size / MemoryLayout<Float>.size }

/// Facts about the instruction set this binary was compiled for.
public enum InstructionSet {
    /// Floats per native register.
    @inlinable public static var vectorLanes: Int { Kernels.vectorLanes }
    /// Floats per micro-tile row (`GEMMTile.columns`).
    @inlinable public static var tileRowLanes: Int { MemoryLayout<TileRow>.size / MemoryLayout<Float>.size }
    /// Whether `multiplyAdd` is one fused instruction (FMA3 on x86-64, always on arm64).
    public static var hasFusedMultiplyAdd: Bool { fusedMultiplyAddAvailable }
    /// A short name for reports: "avx512", "avx2", "neon" or "sse".
    public static var name: String {
        #if ATTNLAB_AVX512
        return "avx512"
        #elseif ATTNLAB_AVX2
        return "avx2"
        #elseif arch(arm64)
        return "neon"
        #else
        return "sse"
        #endif
    }
}

// `c + a·b`: one fused instruction where the CPU has FMA; otherwise a multiply and an add, because
// LLVM lowers `addingProduct` without FMA hardware to a call to the correctly rounded `fmaf` (≈100×
// slower). The constant condition is folded at compile time, so the unused branch emits nothing.

/// `c + a·b` lane-wise, fused where the CPU has FMA.
@inlinable @inline(__always)
public func multiplyAdd(_ a: SIMD4<Float>, _ b: SIMD4<Float>, _ c: SIMD4<Float>) -> SIMD4<Float> {
    fusedMultiplyAddAvailable ? c.addingProduct(a, b) : c + a * b
}

/// `c + a·b` lane-wise, fused where the CPU has FMA.
@inlinable @inline(__always)
public func multiplyAdd(_ a: SIMD8<Float>, _ b: SIMD8<Float>, _ c: SIMD8<Float>) -> SIMD8<Float> {
    fusedMultiplyAddAvailable ? c.addingProduct(a, b) : c + a * b
}

/// `c + a·b` lane-wise, fused where the CPU has FMA.
@inlinable @inline(__always)
public func multiplyAdd(_ a: SIMD16<Float>, _ b: SIMD16<Float>, _ c: SIMD16<Float>) -> SIMD16<Float> {
    fusedMultiplyAddAvailable ? c.addingProduct(a, b) : c + a * b
}

/// `c + a·b` lane-wise, fused where the CPU has FMA.
@inlinable @inline(__always)
public func multiplyAdd(_ a: SIMD64<Float>, _ b: SIMD64<Float>, _ c: SIMD64<Float>) -> SIMD64<Float> {
    fusedMultiplyAddAvailable ? c.addingProduct(a, b) : c + a * b
}

/// `c + a·b`, fused where the CPU has FMA.
@inlinable @inline(__always)
public func multiplyAdd(_ a: Float, _ b: Float, _ c: Float) -> Float {
    fusedMultiplyAddAvailable ? c.addingProduct(a, b) : c + a * b
}

/// Whether this build has fused multiply-add, as a constant the optimiser folds into each
/// `multiplyAdd`, also where that is inlined into another module.
@inlinable @inline(__always)
var fusedMultiplyAddAvailable: Bool {
    #if ATTNLAB_FMA || arch(arm64)
    return true
    #else
    return false
    #endif
}

/// The register tile of the GEMM micro-kernel and the cache blocking around it, per instruction set.
///
/// The micro-kernel keeps a 6 × NR tile of C in registers while a 6 × kc panel of A stays in L1 and
/// a kc × nc block of B streams from L2; an mc × kc block of A is packed once per B block.
public enum GEMMTile {
    /// Rows of C per micro-kernel call (broadcast A values).
    public static let rows = 6
    /// Columns of C per micro-kernel call: one `TileRow` (NR = 64, 16 or 8).
    @inlinable public static var columns: Int { InstructionSet.tileRowLanes }
    /// Depth of one packed block: the 6 × kc A panel (6 KiB) stays in L1.
    public static let depth = 256
    /// Rows of op(A) packed at once: mc × kc floats = 96 KiB.
    public static let blockRows = 96
    #if ATTNLAB_AVX512
    /// Columns of op(B) packed at once: kc × nc floats = 1 MiB, the share of a 2 MiB L2.
    public static let blockColumns = 1024
    #else
    /// Columns of op(B) packed at once: kc × nc floats = 256 KiB, half of a 512 KiB L2.
    public static let blockColumns = 256
    #endif
    /// Widest column block for which A is read in place instead of packed (packing pays only when
    /// each packed value is reused over several wide panels).
    public static let inPlaceColumns = 128
}

/// Applies a `FloatVector` operation to each native register of a tile row, e.g. e^x on the 64 lanes
/// of an AVX-512 tile row as four 16-lane exps.
@inlinable @inline(__always)
public func mapVectors(_ row: TileRow, _ f: (FloatVector) -> FloatVector) -> TileRow {
    #if ATTNLAB_AVX512
    let low = row.lowHalf, high = row.highHalf
    return TileRow(lowHalf: SIMD32(lowHalf: f(low.lowHalf), highHalf: f(low.highHalf)),
                   highHalf: SIMD32(lowHalf: f(high.lowHalf), highHalf: f(high.highHalf)))
    #else
    return TileRow(lowHalf: f(row.lowHalf), highHalf: f(row.highHalf))
    #endif
}

extension InstructionSet {
    /// 0, 1, …, NR − 1: the lane numbers of a tile row, for index arithmetic such as mask tests.
    public static let tileRowLaneIndices = TileRowIndices((0..<Int32(tileRowLanes)).map { $0 })
}
