import Synchronization

/// Which arithmetic the float work of a process runs: the study's own, whose every result is
/// computed in an order fixed by the code (the same bits on every x86-64 CPU with AVX2 and FMA,
/// with any thread count), or the libraries' own choice for this CPU (OpenBLAS's kernel class,
/// FFTW's SIMD codelets), which may be faster and is reproducible only on this CPU type.
///
/// One process-wide value, set once by an executable before any float work (`study --kernels`);
/// every module reads it where it picks a kernel. It is part of every chapter key that reaches
/// a number, and the summary records it.
public enum Arithmetic: String, Sendable, CaseIterable, Codable {
    /// GEMMs by the study's own micro-kernels (one summation order, whatever the SIMD width);
    /// FFTs by FFTW's scalar codelets; resampling by libsoxr's path chosen by the code, not the
    /// environment. The default.
    case deterministic
    /// OpenBLAS's kernels for this CPU (or `OPENBLAS_CORETYPE`), FFTW's SIMD codelets:
    /// reproducible on one CPU type only.
    case native

    private static let stored = Atomic<UInt8>(0)

    /// The process's arithmetic (default `.deterministic`).
    public static var current: Arithmetic {
        get { stored.load(ordering: .relaxed) == 0 ? .deterministic : .native }
        set { stored.store(newValue == .deterministic ? 0 : 1, ordering: .relaxed) }
    }

    /// What a summary says of it.
    public var reproducibility: String {
        switch self {
        case .deterministic: "the same bits on every x86-64 CPU with AVX2 and FMA, with any thread count"
        case .native: "not reproducible across CPUs: the libraries' kernels for this CPU"
        }
    }
}
