/// A small deterministic generator (SplitMix64) for randomized tests: the same seed gives the
/// same sequence, so a failing round reproduces from its seed.
public struct SplitMix: RandomNumberGenerator, Sendable {
    /// The generator's state.
    public var state: UInt64

    /// A generator starting from `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound`.
    public mutating func next(below bound: Int) -> Int { Int(next() % UInt64(bound)) }

    /// True with a chance of `percent` in 100.
    public mutating func chance(_ percent: Int) -> Bool { next(below: 100) < percent }

    /// One of `options`.
    public mutating func pick<T>(_ options: [T]) -> T { options[next(below: options.count)] }
}
