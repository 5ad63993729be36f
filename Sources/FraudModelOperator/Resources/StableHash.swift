/// FNV-1a (64 bit) in hex: a short name for some bytes that is the same in every process and
/// every release (Swift's `Hasher` is seeded per process). Not for security.
enum StableHash {
    /// 16 lowercase hex digits.
    static func hex<Bytes: Sequence<UInt8>>(of bytes: Bytes) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
