/// The name rules the kubelet relies on before a name becomes a path on this machine.
enum PodNames {
    /// RFC 1123 label: lowercase letters, digits and '-', starting and ending alphanumeric, at most 63.
    static func isDNSLabel(_ name: String) -> Bool {
        guard (1...63).contains(name.utf8.count), let first = name.utf8.first, let last = name.utf8.last else { return false }
        func alphanumeric(_ byte: UInt8) -> Bool { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
        return alphanumeric(first) && alphanumeric(last) && name.utf8.allSatisfy { alphanumeric($0) || $0 == UInt8(ascii: "-") }
    }
}
