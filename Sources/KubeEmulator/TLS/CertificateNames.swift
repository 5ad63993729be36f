import SwiftASN1
import X509

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Turns the names a serving certificate should be valid for into subject alternative names.
enum CertificateNames {
    /// An `iPAddress` SAN for an IPv4 or IPv6 literal, else a `dNSName` SAN for a DNS name.
    static func generalName(forServerName name: String) throws(EmulatorPKIError) -> GeneralName {
        if let bytes = ipAddressBytes(name) {
            return .ipAddress(ASN1OctetString(contentBytes: bytes[...]))
        }
        guard isDNSName(name) else { throw .invalidServerName(name) }
        return .dnsName(name)
    }

    /// The network-order bytes of an IPv4 (4 bytes) or IPv6 (16 bytes) literal, or nil if `string` is neither.
    static func ipAddressBytes(_ string: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, string, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, string, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }

    /// Whether `name` is a DNS name a certificate may carry: dot-separated labels of letters, digits and `-`,
    /// with an optional leading `*` label.
    static func isDNSName(_ name: String) -> Bool {
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        for (index, label) in labels.enumerated() {
            if index == 0, label == "*", labels.count > 1 { continue }
            guard (1...63).contains(label.utf8.count),
                label.first != "-", label.last != "-",
                label.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-") })
            else { return false }
        }
        return true
    }
}
