/// An IPv4 address as a number, and the /N prefixes the pod network is cut from.
struct IPv4: Hashable, Comparable, Sendable, CustomStringConvertible {
    var value: UInt32

    init(_ value: UInt32) { self.value = value }

    /// Dotted decimal in canonical form only: four octets of 1–3 digits, no sign and no leading
    /// zero. `010.1.1.1` is refused, since getaddrinfo would read it as octal and connect
    /// somewhere else than this parser approved.
    init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  part.count == 1 || part.first != "0", let octet = UInt8(part) else { return nil }
            value = value << 8 | UInt32(octet)
        }
        self.value = value
    }

    var description: String { "\(value >> 24).\(value >> 16 & 0xff).\(value >> 8 & 0xff).\(value & 0xff)" }

    static func < (lhs: IPv4, rhs: IPv4) -> Bool { lhs.value < rhs.value }

    static func + (lhs: IPv4, rhs: UInt32) -> IPv4 { IPv4(lhs.value &+ rhs) }
}

/// An IPv4 prefix (`10.201.0.0/16`).
struct IPv4Prefix: Hashable, Sendable, CustomStringConvertible {
    var address: IPv4
    var length: Int

    init(address: IPv4, length: Int) {
        self.length = length
        self.address = IPv4(address.value & Self.mask(length))
    }

    init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/")
        guard let address = parts.first.flatMap({ IPv4($0) }) else { return nil }
        let length = parts.count == 2 ? Int(parts[1]) : 32
        guard let length, (0...32).contains(length) else { return nil }
        self.init(address: address, length: length)
    }

    static func mask(_ length: Int) -> UInt32 { length == 0 ? 0 : UInt32.max << (32 - length) }

    var description: String { "\(address)/\(length)" }
    var last: IPv4 { IPv4(address.value | ~Self.mask(length)) }

    func contains(_ ip: IPv4) -> Bool { ip.value & Self.mask(length) == address.value }
    func overlaps(_ other: IPv4Prefix) -> Bool { contains(other.address) || other.contains(address) }
}
