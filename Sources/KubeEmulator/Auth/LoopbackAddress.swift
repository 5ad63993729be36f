#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// Whether a peer's address is a loopback address: `127.0.0.0/8`, `::1`, or `127.0.0.0/8`
/// mapped into IPv6 (`::ffff:127.x.y.z`). The address is parsed, never matched as text, so
/// `10.127.0.5` or `2001:db8::1f` are not loopback.
enum LoopbackAddress {
    /// Whether the socket address is loopback; nil, Unix sockets and unparsable addresses are not.
    static func contains(_ address: SocketAddress?) -> Bool {
        guard let address, let ip = address.ipAddress else { return false }
        return contains(ipAddress: ip)
    }

    /// Whether `ipAddress`, an IPv4 or IPv6 literal (no brackets, no port), is loopback.
    /// Host names such as `localhost` are not addresses and are not loopback.
    static func contains(ipAddress: String) -> Bool {
        if let v4 = ipv4Bytes(ipAddress) { return v4[0] == 127 }
        guard let v6 = ipv6Bytes(ipAddress) else { return false }
        let isUnspecifiedPrefix = v6[0..<10].allSatisfy { $0 == 0 }
        if isUnspecifiedPrefix, v6[10] == 0, v6[11] == 0, v6[12..<15].allSatisfy({ $0 == 0 }), v6[15] == 1 { return true }
        // IPv4-mapped: ::ffff:a.b.c.d
        return isUnspecifiedPrefix && v6[10] == 0xff && v6[11] == 0xff && v6[12] == 127
    }

    private static func ipv4Bytes(_ text: String) -> [UInt8]? {
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: &address) { Array($0) }
    }

    private static func ipv6Bytes(_ text: String) -> [UInt8]? {
        var address = in6_addr()
        guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: &address) { Array($0) }
    }
}
