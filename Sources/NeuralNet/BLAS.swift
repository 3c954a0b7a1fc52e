// The one place NeuralNet picks its GEMM. Every layer's heavy lifting is a row-major GEMM;
// the layer math is generic over `BLASScalar` so that the same code runs in Float32 for
// training and in Float64 for the finite-difference gradient checks in the tests.
//
// `Arithmetic.deterministic` (the default) runs the study's own kernels (CGEMM: one fused
// multiply-add chain per element over k in order, whatever the CPU's SIMD width or the thread
// count); `.native` runs OpenBLAS's, whose kernel class and blocking depend on the CPU.
import Base
import CGEMM
import COpenBLAS
import Foundation

/// A floating-point type with a BLAS GEMM (Float → `cblas_sgemm`, Double → `cblas_dgemm`), and
/// SIMD vectors of it (the Winograd transforms work on channel blocks).
public protocol BLASScalar: BinaryFloatingPoint, SIMDScalar, BitwiseCopyable, Codable {
    /// Row-major `C = alpha * op(A) * op(B) + beta * C`, op(A) is M×K, op(B) is K×N, C is M×N.
    /// In the deterministic arithmetic each element is one FMA chain over k in order, starting
    /// from C when beta = 1 (see tess_gemm.h): the bits do not depend on how C's rows are split,
    /// and GEMMs over consecutive parts of K with beta = 1 equal the GEMM over all of K.
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Self,
                     a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
                     beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    /// y[i] = y[i] + x[i] · a for i < count: one multiply and one add, never fused (so not
    /// BLAS's axpy, whose kernels use FMA). A concrete loop for each type: generic code runs
    /// an order of magnitude slower in debug builds, and this one vectorises in release.
    static func addScaled(count: Int, _ a: Self, _ x: UnsafePointer<Self>, into y: UnsafeMutablePointer<Self>)
}

extension Float: BLASScalar {
    @inline(__always)
    public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                            a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                            beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0, n > 0 else { return }
        if Arithmetic.current == .deterministic {
            DeterministicGEMM.rows(m: m, work: m * n * k) { r0, r1 in
                tess_sgemm(transA ? 1 : 0, transB ? 1 : 0, r1 - r0, n, k, alpha, transA ? a + r0 : a + r0 * lda, lda,
                           b, ldb, beta, c + r0 * ldc, ldc)
            }
            return
        }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
    @inline(__always) public static func exp(_ x: Float) -> Float { Foundation.expf(x) }
    @inline(__always) public static func log(_ x: Float) -> Float { Foundation.logf(x) }
    @inline(__always)
    public static func addScaled(count: Int, _ a: Float, _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>) {
        var i = 0
        while i < count { y[i] = y[i] + x[i] * a; i += 1 }
    }
}

extension Double: BLASScalar {
    @inline(__always)
    public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double,
                            a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
                            beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        guard m > 0, n > 0 else { return }
        if Arithmetic.current == .deterministic {
            DeterministicGEMM.rows(m: m, work: m * n * k) { r0, r1 in
                tess_dgemm(transA ? 1 : 0, transB ? 1 : 0, r1 - r0, n, k, alpha, transA ? a + r0 : a + r0 * lda, lda,
                           b, ldb, beta, c + r0 * ldc, ldc)
            }
            return
        }
        cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
    @inline(__always) public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    @inline(__always) public static func log(_ x: Double) -> Double { Foundation.log(x) }
    @inline(__always)
    public static func addScaled(count: Int, _ a: Double, _ x: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>) {
        var i = 0
        while i < count { y[i] = y[i] + x[i] * a; i += 1 }
    }
}

/// The study's own GEMM: which variant runs, and the split of one GEMM's rows over threads.
public enum DeterministicGEMM {
    /// "avx512", "avx2" or "scalar": the widest this CPU runs (all give the same bits).
    public static var variant: String { String(cString: tess_gemm_variant_name(tess_gemm_variant())) }
    /// Forces a variant ("scalar", "avx2", "avx512"; nil: the automatic choice). Returns false
    /// when this CPU cannot run it. Tests compare the variants bit for bit.
    @discardableResult
    public static func force(_ name: String?) -> Bool {
        guard let name else { return tess_gemm_force_variant(-1) == 1 }
        guard let v = ["scalar", "avx2", "avx512"].firstIndex(of: name) else { return false }
        return tess_gemm_force_variant(Int32(v)) == 1
    }
    /// The variants this CPU can run, narrowest first.
    public static var available: [String] {
        Array(["scalar", "avx2", "avx512"].prefix(Int(tess_gemm_best_variant()) + 1))
    }

    /// Below this many multiply-adds a GEMM runs on the calling thread.
    static let minimumParallelWork = 1 << 21

    /// Splits rows 0..<m over `BLASThreads.count` threads (the `.blas` parallelism of `fit`;
    /// data-parallel workers run with 1). Rows are independent outputs, so the split never
    /// changes the bits.
    @inline(__always)
    static func rows(m: Int, work: Int, _ body: (Int, Int) -> Void) {
        let t = min(BLASThreads.count, m)
        if t <= 1 || work < minimumParallelWork {
            body(0, m)
            return
        }
        ConcurrentLoop.perform(iterations: t) { i in body(m * i / t, m * (i + 1) / t) }
    }
}

/// The GEMM thread count: OpenBLAS's thread pool in the native arithmetic, and the row split
/// of `DeterministicGEMM` in the deterministic one (the count is kept in OpenBLAS either way).
/// In the deterministic arithmetic the bits do not depend on it; in the native one they do.
///
/// This is the one process-wide thread setting left, because it is OpenBLAS's own: the count is
/// stored inside the C library (no Swift state here), and a change applies to every GEMM that
/// starts afterwards, on every thread. `fit` and `evaluate` set it for their duration and restore
/// it; two trainings that run at the same time in one process should use the same
/// `FitOptions.parallelism` (data-parallel sets 1, the default). NeuralNet's own loops do not read
/// it while bound by `Parallel.withThreads` (inside `fit`).
public enum BLASThreads {
    public static var count: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(max(1, newValue))) }
    }

    /// Runs `body` with the count set to `count` (nil: left as it is), then restores the count
    /// it found: the one way the study changes it, so that every change is undone.
    public static func with<T>(_ count: Int?, _ body: () throws -> T) rethrows -> T {
        guard let count else { return try body() }
        let saved = self.count
        self.count = count
        defer { self.count = saved }
        return try body()
    }
    /// OpenBLAS's build description, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64".
    public static var configuration: String {
        guard let c = openblas_get_config() else { return "OpenBLAS (unknown)" }
        return String(cString: c)
    }
    public static var coreName: String {
        guard let c = openblas_get_corename() else { return "?" }
        return String(cString: c)
    }
}

/// A fixed-size, manually managed float buffer (llm.c's malloc'd activations): allocated once,
/// zero-filled, freed with its owner. Layers hand raw pointers to BLAS without copying.
public final class Buffer<T: BinaryFloatingPoint> {
    public let count: Int
    public let pointer: UnsafeMutablePointer<T>

    public init(count: Int) {
        self.count = count
        pointer = UnsafeMutablePointer<T>.allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }
    public convenience init(_ values: [T]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: values.count) }
    }
    deinit { pointer.deallocate() }

    public func zero() { pointer.update(repeating: 0, count: count) }
    public var array: [T] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
    public func prefix(_ n: Int) -> [T] { Array(UnsafeBufferPointer(start: pointer, count: min(n, count))) }
    public func copy(from values: [T]) {
        precondition(values.count == count, "Buffer.copy: \(values.count) values into a buffer of \(count)")
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: count) }
    }
    public subscript(i: Int) -> T {
        get { pointer[i] }
        set { pointer[i] = newValue }
    }
}

/// Which OpenBLAS kernels run. A `DYNAMIC_ARCH` OpenBLAS picks them from the CPU model when it
/// is loaded, and one that predates the CPU falls back to its generic `Prescott` (SSE3) kernels:
/// Debian 12's OpenBLAS 0.3.21 does so on Intel's Sapphire and Emerald Rapids (family 6, models
/// 143 and 207), where sgemm then reaches 24–36 GFLOP/s instead of ~150 and an epoch takes ~5 s
/// instead of ~1.7 s. OpenBLAS reads its choice (`OPENBLAS_CORETYPE`) only when it is loaded,
/// so the executables call `useBestKernels(arguments:)` first thing, which re-executes the
/// program once with the variable set when the fallback is in use.
///
/// The choice depends only on the CPU's feature flags, never on timing, so a machine still
/// gives the same bits for the same seed and thread count. Setting `OPENBLAS_CORETYPE` yourself
/// overrides it.
public enum BLASKernels {
    /// The kernel family for a CPU with these `/proc/cpuinfo` flags when OpenBLAS chose
    /// `coreName`: nil when OpenBLAS's own choice stands (anything but the Prescott fallback),
    /// `SkylakeX` with AVX-512 F/CD/BW/DQ/VL, `Haswell` with AVX2 and FMA.
    public static func preferredCore(coreName: String, flags: Set<String>) -> String? {
        guard coreName.lowercased() == "prescott" else { return nil }
        if ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains) { return "SkylakeX" }
        if ["avx2", "fma"].allSatisfy(flags.contains) { return "Haswell" }
        return nil
    }

    /// The first `flags` line of /proc/cpuinfo (empty when unreadable).
    public static func cpuFlags() -> Set<String> {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }

    /// Re-executes this program (`/proc/self/exe` with the same arguments) with
    /// `OPENBLAS_CORETYPE` set when OpenBLAS fell back to Prescott on a CPU that has better
    /// kernels. Returns normally otherwise, or when the re-execution is refused. Call it before
    /// anything else: the new process starts from scratch.
    public static func useBestKernels() {
        let env = ProcessInfo.processInfo.environment
        let coreName = BLASThreads.coreName
        // /proc/cpuinfo is read only when OpenBLAS fell back (the flags cannot change its choice otherwise).
        guard env["OPENBLAS_CORETYPE"] == nil, env[reexecMarker] == nil, coreName.lowercased() == "prescott",
              let core = preferredCore(coreName: coreName, flags: cpuFlags()) else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        setenv(reexecMarker, "1", 1)   // never loop, whatever the new process's OpenBLAS says
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        unsetenv("OPENBLAS_CORETYPE")   // execv failed: carry on with the fallback kernels
    }

    static let reexecMarker = "STUDY_OPENBLAS_REEXEC"
}
