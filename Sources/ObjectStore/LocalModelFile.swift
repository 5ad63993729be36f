import Crypto
import Foundation

/// A file on this machine, hashed in chunks (never read whole into memory to hash it).
enum LocalModelFile {
    static func verify(_ path: String, maxBytes: Int64) throws(ObjectStoreError) -> (sha256: String, bytes: Int64) {
        guard let file = FileHandle(forReadingAtPath: path) else {
            throw ObjectStoreError(.notFound, "file://\(path): no such readable file")
        }
        defer { try? file.close() }
        var hasher = SHA256()
        var bytes: Int64 = 0
        while true {
            let chunk: Data
            do { chunk = try file.read(upToCount: 1 << 20) ?? Data() } catch {
                throw ObjectStoreError(.io, "file://\(path): \(error)")
            }
            if chunk.isEmpty { break }
            bytes += Int64(chunk.count)
            if bytes > maxBytes {
                throw ObjectStoreError(.tooLarge, "file://\(path) is more than the limit of \(maxBytes) bytes (MODEL_MAX_BYTES)")
            }
            hasher.update(data: chunk)
        }
        return (hasher.finalize().hexString, bytes)
    }
}
