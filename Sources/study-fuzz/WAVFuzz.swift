import Base
import Foundation

/// Fuzz of the wav reader (to be written).
enum WAVFuzz {
    static let target = FuzzTarget(name: "wav") { _, _, _, _ in }
}
