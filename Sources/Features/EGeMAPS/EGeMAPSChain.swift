import Foundation

/// openSMILE's eGeMAPS v02 chain (config/egemaps/v02/eGeMAPSv02.conf with the GeMAPS v01b core it
/// includes), declared step by step. Placeholder while the components land.
public enum EGeMAPSChain {
    public static var functionalNames: [String] { [] }
    public static var lldNames: [String] { [] }

    public static func functionals(signal: [Float], sampleRate: Double) -> [Double] { [] }

    public static func llds(signal: [Float], sampleRate: Double) -> [(start: Double, end: Double, values: [Float])] { [] }
}
