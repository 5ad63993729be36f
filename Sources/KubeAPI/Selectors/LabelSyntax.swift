/// The syntax rules Kubernetes applies to label keys, label values and object names.
public enum LabelSyntax {
    /// A qualified name: `[prefix/]name`, the name at most 63 characters of `[A-Za-z0-9_.-]`
    /// starting and ending alphanumeric, the prefix a DNS subdomain.
    public static func isValidKey(_ key: String) -> Bool {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return isQualifiedNamePart(String(parts[0]))
        case 2: return isDNSSubdomain(String(parts[0])) && isQualifiedNamePart(String(parts[1]))
        default: return false
        }
    }

    /// A label value: empty, or at most 63 characters of `[A-Za-z0-9_.-]` starting and ending alphanumeric.
    public static func isValidValue(_ value: String) -> Bool {
        value.isEmpty || isQualifiedNamePart(value)
    }

    static func isQualifiedNamePart(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= 63, isAlphanumeric(bytes.first!), isAlphanumeric(bytes.last!) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }

    /// RFC 1123 subdomain: at most 253 characters, lowercase alphanumeric, `-` and `.`, alphanumeric at both ends.
    public static func isDNSSubdomain(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= 253 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isDNSLabelBody(Array($0.utf8), maxLength: 63) }
    }

    /// RFC 1123 label: at most 63 characters, lowercase alphanumeric and `-`, alphanumeric at both ends.
    public static func isDNSLabel(_ name: String) -> Bool {
        isDNSLabelBody(Array(name.utf8), maxLength: 63)
    }

    /// RFC 1035 label: an RFC 1123 label that starts with a letter (Service names).
    public static func isDNS1035Label(_ name: String) -> Bool {
        guard let first = name.utf8.first, first >= UInt8(ascii: "a"), first <= UInt8(ascii: "z") else { return false }
        return isDNSLabel(name)
    }

    static func isDNSLabelBody(_ bytes: [UInt8], maxLength: Int) -> Bool {
        guard !bytes.isEmpty, bytes.count <= maxLength, isLowerAlphanumeric(bytes.first!), isLowerAlphanumeric(bytes.last!) else {
            return false
        }
        return bytes.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isLowerAlphanumeric(byte) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }

    static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }
}
