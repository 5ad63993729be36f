#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// CIDR notation as Kubernetes accepts it in `loadBalancerSourceRanges` (Go's `net.ParseCIDR`):
/// an IPv4 or IPv6 address, `/`, and a prefix length within the address's bits.
public enum CIDRNotation {
    /// True for `10.0.0.0/8`, `203.0.113.7/32`, `2001:db8::/32`; false for a missing or
    /// out-of-range prefix length, a malformed address, or anything around them.
    public static func isValid(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let bits = Int(parts[1]), parts[1].allSatisfy(\.isASCIIDigit), parts[1].count <= 3 else { return false }
        let address = String(parts[0])
        if address.contains(":") {
            var storage = in6_addr()
            return inet_pton(AF_INET6, address, &storage) == 1 && (0...128).contains(bits)
        }
        var storage = in_addr()
        return inet_pton(AF_INET, address, &storage) == 1 && (0...32).contains(bits)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
