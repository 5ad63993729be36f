/// The largest models fraud-server loads. A file that declares more is refused with a
/// ``ModelLoadError`` before anything is allocated for it, so a crafted or corrupted file
/// cannot exhaust memory or overflow an index.
public enum ModelLimits {
    /// Features per row: 16,777,216 (2²⁴). One dense row that wide is already a 32 MiB
    /// request body; compiled nodes address features with 32-bit indices.
    public static let maxFeatures = 1 << 24
    /// Output classes of a multi-class model: 4,096. Each row's response holds one
    /// probability per class.
    public static let maxClasses = 4096
    /// Split nodes, and leaves, of one model: 2³¹ − 1 (compiled nodes use 32-bit indices).
    public static let maxNodes = Int(Int32.max)
}
