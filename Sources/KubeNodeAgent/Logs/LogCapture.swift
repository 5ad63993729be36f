import Foundation
import Glibc
import Synchronization

/// Reads containers' stdout and stderr pipes into their log buffers as output arrives, and
/// closes a buffer once both of its pipes reach end of file.
///
/// One thread polls every pipe with poll(2). (libdispatch read sources were used before: with
/// containers restarting many times a second, its epoll bookkeeping crashed the process when a
/// closed descriptor's number was reused by the next instance's pipe.)
///
/// # Guarantees
/// - A pipe is closed exactly once, by the reader thread, after its end of file or error.
/// - Output is appended in the order it was written, per stream.
enum LogCapture {
    /// Starts reading a container instance's pipes into `buffer`; takes ownership of both
    /// descriptors.
    static func start(stdout: Int32, stderr: Int32, into buffer: LogBuffer) {
        PipePoller.shared.add(stdout: stdout, stderr: stderr, buffer: buffer)
    }
}

/// The thread behind ``LogCapture``.
private final class PipePoller: Sendable {
    /// A pipe being read.
    private struct Pipe {
        var fd: Int32
        var stream: Int
        var owner: Capture
    }

    /// The pipes of one container instance: its buffer closes when both are done.
    private final class Capture: @unchecked Sendable {
        // @unchecked: `open` is read and written only on the poller's thread.
        let buffer: LogBuffer
        var open = 2
        init(buffer: LogBuffer) { self.buffer = buffer }
    }

    static let shared = PipePoller()

    private let pending = Mutex<[Pipe]>([])
    /// A pipe whose read end the poller also watches: a byte written wakes it for new pipes.
    private let wake: (read: Int32, write: Int32)

    private init() {
        var fds: [Int32] = [0, 0]
        _ = pipe(&fds)
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, O_NONBLOCK)
        }
        wake = (fds[0], fds[1])
        let thread = Thread { [self] in run() }
        thread.name = "kube-node-agent.logs"
        thread.start()
    }

    func add(stdout: Int32, stderr: Int32, buffer: LogBuffer) {
        let capture = Capture(buffer: buffer)
        for fd in [stdout, stderr] { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        pending.withLock { $0 += [Pipe(fd: stdout, stream: 1, owner: capture), Pipe(fd: stderr, stream: 2, owner: capture)] }
        var byte: UInt8 = 1
        _ = write(wake.write, &byte, 1)
    }

    private func run() {
        var pipes: [Pipe] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            var polled = [pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0)]
            polled += pipes.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&polled, nfds_t(polled.count), -1)
            if ready < 0 { continue }
            if polled[0].revents != 0 {
                var drain = [UInt8](repeating: 0, count: 256)
                while read(wake.read, &drain, drain.count) > 0 {}
            }
            var finished: [Int] = []
            for index in pipes.indices where polled[index + 1].revents != 0 {
                if !drainPipe(pipes[index], into: &chunk) { finished.append(index) }
            }
            for index in finished.reversed() {
                let done = pipes.remove(at: index)
                close(done.fd)
                done.owner.open -= 1
                if done.owner.open == 0 { done.owner.buffer.close() }
            }
            pipes += pending.withLock { added in
                defer { added.removeAll() }
                return added
            }
        }
    }

    /// Reads what `pipe` holds (at most 16 chunks, so one chatty container cannot starve the
    /// others); false once it reached end of file or failed.
    private func drainPipe(_ pipe: Pipe, into chunk: inout [UInt8]) -> Bool {
        for _ in 0..<16 {
            let count = chunk.withUnsafeMutableBytes { read(pipe.fd, $0.baseAddress, $0.count) }
            if count > 0 {
                pipe.owner.buffer.append(chunk[0..<count], stream: pipe.stream)
                continue
            }
            if count < 0, errno == EINTR { continue }
            return count < 0 && errno == EAGAIN
        }
        return true
    }
}
