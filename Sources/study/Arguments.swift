import ArgumentParser
import Base
import Features
import Inference
import NeuralNet
import Study

// The options whose values are a fixed list, as typed ArgumentParser values. The libraries keep
// their enums free of ArgumentParser; the conformances live here, in the executable. The help
// lists `allValueStrings`, each with its description (`allValueDescriptions`), and the parser
// accepts exactly those strings (`init?(argument:)`), so the two cannot drift apart: a bad
// value gets ArgumentParser's message, which names the option, the value and every accepted one.
//
// Each description is an exhaustive switch: a new case does not compile until it is described.
// For a `CaseIterable & RawRepresentable` type ArgumentParser shows the raw value as the
// default ("(default: winograd)"); `defaultValueDescription` is the value's line in the list.

extension LadderLevel: ExpressibleByArgument {
    public var defaultValueDescription: String {
        switch self {
        case .default:
            return "standardized on random, word_disjoint, speaker_independent, speaker_word_disjoint, label_shuffle; "
                + "speaker_normalized on speaker_independent; every other feature set × logistic (and an affordable "
                + "neural model) on speaker_independent"
        case .full:
            return "adds faithful on every protocol, speaker_normalized on speaker_word_disjoint, and every feature set "
                + "× model (--features, --models) on every protocol"
        case .off:
            return "no ladder runs"
        }
    }
}

extension Arithmetic: ExpressibleByArgument {
    public var defaultValueDescription: String {
        switch self {
        case .deterministic:
            return "the study's own GEMM kernels, FFTW's scalar codelets: the same bits on every x86-64 CPU with AVX2 and FMA"
        case .native:
            return "OpenBLAS's kernels for this CPU and FFTW's SIMD codelets: reproducible on this CPU type only; OPENBLAS_CORETYPE applies"
        }
    }
}

extension ConvAlgorithm: ExpressibleByArgument {
    /// The default first, as the help has always listed them.
    public static var allValueStrings: [String] { [ConvAlgorithm.winograd, .im2col].map(\.rawValue) }

    public var defaultValueDescription: String {
        switch self {
        case .winograd: return "Winograd F(4,5) where it is faster"
        case .im2col: return "the reference path everywhere"
        }
    }
}

extension FeatureRecipe.Standardization: ExpressibleByArgument {
    /// `--standardization` says how to standardise; not standardising is the absence of
    /// `--standardize`, so `none` is not a value of the option.
    static var offered: [Self] { allCases.filter { $0 != .none } }

    public init?(argument: String) {
        guard let value = Self(rawValue: argument), value != .none else { return nil }
        self = value
    }

    public static var allValueStrings: [String] { offered.map(\.rawValue) }

    public static var allValueDescriptions: [String: String] {
        Dictionary(uniqueKeysWithValues: offered.map { ($0.rawValue, $0.defaultValueDescription) })
    }

    public var defaultValueDescription: String {
        let text: String
        switch self {
        case .none: text = "no standardisation"
        case .perCoefficient: text = "each MFCC its own mean and deviation"
        case .centred: text = "own means, one deviation"
        case .global: text = "one mean, one deviation"
        }
        return self == StudyOptions.defaultStandardization ? text + " (the default)" : text
    }
}

/// The presets are values of a struct (`FeaturePreset.all`), not an enum: the list, the names
/// and the summaries come from there.
extension FeaturePreset: ExpressibleByArgument {
    public init?(argument: String) {
        guard let preset = FeaturePreset.named(argument) else { return nil }
        self = preset
    }

    public static var allValueStrings: [String] { all.map(\.name) }

    public static var allValueDescriptions: [String: String] {
        Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0.summary) })
    }

    public static var defaultCompletionKind: CompletionKind { .list(allValueStrings) }

    /// The name, for "(default: notebook)".
    public var defaultValueDescription: String { name }
}
