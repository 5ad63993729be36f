import Dispatch
import Foundation
import Glibc

/// Reads a container's stdout and stderr pipes into its log buffer as output arrives, and closes
/// the buffer once both pipes reach end of file.
enum LogCapture {
    private static let queue = DispatchQueue(label: "kube-node-agent.logs")

    static func start(stdout: Int32, stderr: Int32, into buffer: LogBuffer) {
        let open = SendableCounter(2)
        for (stream, fd) in [(1, stdout), (2, stderr)] {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
            source.setEventHandler {
                var chunk = [UInt8](repeating: 0, count: 65536)
                while true {
                    let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                    if count > 0 {
                        buffer.append(chunk[0..<count], stream: stream)
                        continue
                    }
                    if count < 0, errno == EINTR { continue }
                    if count < 0, errno == EAGAIN { return }
                    source.cancel()
                    return
                }
            }
            source.setCancelHandler {
                close(fd)
                if open.decrement() == 0 { buffer.close() }
            }
            source.resume()
        }
    }
}

/// A counter touched only on LogCapture's serial queue.
private final class SendableCounter: @unchecked Sendable {
    // @unchecked: read and written only from LogCapture.queue's handlers, which run one at a time.
    private var value: Int
    init(_ value: Int) { self.value = value }
    func decrement() -> Int {
        value -= 1
        return value
    }
}
