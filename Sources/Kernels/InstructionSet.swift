// The facts about the SIMD instruction set that the kernels are tiled for, in one place.
//
// Package.swift reads the target CPU and defines `ATTNLAB_AVX512` (32 × 512-bit registers),
// `ATTNLAB_AVX2` (16 × 256-bit) or neither (128-bit: SSE4.2 with 16 registers, or NEON on arm64 with 32),
// and `ATTNLAB_FMA` when fused multiply-add exists (always on arm64). Every kernel is written once
// against the names below; only this file changes per instruction set, as BLIS keeps one
// `bli_cntx_init_<arch>.c` per CPU under one algorithm.
//
// | ISA      | FloatVector | TileRow (NR lanes)  | micro-tile | accumulators           |
// |----------|-------------|---------------------|------------|------------------------|
// | AVX-512  | SIMD16      | 4 × SIMD16 (64)     | 6 × 64     | 24 of 32 zmm           |
// | AVX2     | SIMD8       | 2 × SIMD8 (16)      | 6 × 16     | 12 of 16 ymm (as BLIS) |
// | 128-bit  | SIMD4       | 2 × SIMD4 (8)       | 6 × 8      | 12 of 16 xmm / 32 NEON |
//
// Swift's generic SIMD code runs element by element (overloads resolve to the protocol's scalar
// loops), so these are concrete typealiases chosen at compile time, never generic parameters; and
// Swift's SIMD32/SIMD64 arithmetic is scalarised (measured: `addingProduct` on SIMD64 becomes 64
// `vfmadd213ss`), so a tile row is a struct of native registers (TileRow.swift), not a SIMD64.

#if ATTNLAB_AVX512
/// One native SIMD register of floats (16 lanes of a zmm register).
public typealias FloatVector = SIMD16<Float>
/// Integer lanes matching `FloatVector`, for bit manipulation and lane indices.
public typealias IntVector = SIMD16<Int32>
#elseif ATTNLAB_AVX2
/// One native SIMD register of floats (8 lanes of a ymm register).
public typealias FloatVector = SIMD8<Float>
/// Integer lanes matching `FloatVector`, for bit manipulation and lane indices.
public typealias IntVector = SIMD8<Int32>
#else
/// One native SIMD register of floats (4 lanes of an xmm or NEON register).
public typealias FloatVector = SIMD4<Float>
/// Integer lanes matching `FloatVector`, for bit manipulation and lane indices.
public typealias IntVector = SIMD4<Int32>
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
    /// Native registers per micro-tile row.
    @inlinable public static var tileRowVectors: Int { MemoryLayout<TileRow>.size / MemoryLayout<FloatVector>.size }
    /// Whether `multiplyAdd` is one fused instruction (FMA3 on x86-64, always on arm64).
    public static var hasFusedMultiplyAdd: Bool { fusedMultiplyAddAvailable }
}

// `c + a·b`: one fused instruction where the CPU has FMA; otherwise a multiply and an add, because
// LLVM lowers `addingProduct` without FMA hardware to a call to the correctly rounded `fmaf` (≈100×
// slower). Chosen by `#if`, so a build without FMA contains no `fmaf` call whatever the optimiser does.

#if ATTNLAB_FMA || arch(arm64)
/// Whether `multiplyAdd` is one fused instruction in this build.
@inlinable @inline(__always) var fusedMultiplyAddAvailable: Bool { true }
/// `c + a·b` lane-wise, fused.
@inlinable @inline(__always)
public func multiplyAdd(_ a: SIMD4<Float>, _ b: SIMD4<Float>, _ c: SIMD4<Float>) -> SIMD4<Float> { c.addingProduct(a, b) }
/// `c + a·b` lane-wise, fused.
@inlinable @inline(__always)
public func multiplyAdd(_ a: SIMD8<Float>, _ b: SIMD8<Float>, _ c: SIMD8<Float>) -> SIMD8<Float> { c.addingProduct(a, b) }
/// `c + a·b` lane-wise, fused.
@inlinable @inline(__always)
public func multiplyAdd(_ a: SIMD16<Float>, _ b: SIMD16<Float>, _ c: SIMD16<Float>) -> SIMD16<Float> { c.addingProduct(a, b) }
/// `c + a·b`, fused.
@inlinable @inline(__always)
public func multiplyAdd(_ a: Float, _ b: Float, _ c: Float) -> Float { c.addingProduct(a, b) }
#else
/// Whether `multiplyAdd` is one fused instruction in this build.
@inlinable @inline(__always) var fusedMultiplyAddAvailable: Bool { false }
/// `c + a·b` lane-wise, as a multiply then an add (two roundings).
@inlinable @inline(__always)
public func multiplyAdd(_ a: SIMD4<Float>, _ b: SIMD4<Float>, _ c: SIMD4<Float>) -> SIMD4<Float> { c + a * b }
/// `c + a·b` lane-wise, as a multiply then an add (two roundings).
@inlinable @inline(__always)
public func multiplyAdd(_ a: SIMD8<Float>, _ b: SIMD8<Float>, _ c: SIMD8<Float>) -> SIMD8<Float> { c + a * b }
/// `c + a·b` lane-wise, as a multiply then an add (two roundings).
@inlinable @inline(__always)
public func multiplyAdd(_ a: SIMD16<Float>, _ b: SIMD16<Float>, _ c: SIMD16<Float>) -> SIMD16<Float> { c + a * b }
/// `c + a·b`, as a multiply then an add (two roundings).
@inlinable @inline(__always)
public func multiplyAdd(_ a: Float, _ b: Float, _ c: Float) -> Float { c + a * b }
#endif

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
    /// Columns of op(B) packed at once: kc × nc floats = 4 MiB per thread (L3). Each op(A) block is
    /// repacked once per nc columns, so a smaller nc costs packing time: 256 on AVX2 spent 12% of a
    /// 2048³ multiply in `packA`, 1024 still 3.8% (one thread); 4096 packs A once up to n = 4096.
    public static let blockColumns = 4096
    /// Widest column block for which A is read in place instead of packed (packing pays only when
    /// each packed value is reused over several wide panels).
    public static let inPlaceColumns = 128
}

extension InstructionSet {
    /// 0, 1, …, lanes − 1 of a `FloatVector`, for index arithmetic such as mask tests.
    public static let vectorLaneIndices = IntVector((0..<Int32(vectorLanes)).map { $0 })
}
