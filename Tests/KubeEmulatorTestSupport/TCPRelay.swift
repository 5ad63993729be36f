import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A TCP relay on 127.0.0.1 in front of a loopback server, for tests of slow and silent peers.
///
/// It forwards both ways until told otherwise: `delayAnswers(by:)` holds every chunk the server
/// sends back (its writes are already done: a slow network on the way back), and `silence()`
/// forwards nothing in either direction while keeping every connection open, and accepts new ones
/// that it never answers — a peer that stopped answering without closing anything.
///
/// Blocking sockets, two threads per connection; `stop()` (or `withTCPRelay`) closes everything
/// and waits for the threads.
public final class TCPRelay: @unchecked Sendable {
    // Unchecked: every mutable property is read and written only while holding `condition`.
    private let condition = NSCondition()
    private var silent = false
    private var answerDelay: Duration = .zero
    private var stopped = false
    private var sockets: Set<Int32> = []
    private let threads = DispatchGroup()
    private let listener: Int32
    private let target: UInt16
    /// The port the relay listens on.
    public let port: Int

    /// A relay to `127.0.0.1:targetPort`, listening on an ephemeral port; it starts accepting at once.
    public init(to targetPort: Int) throws {
        target = UInt16(targetPort)
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 && getsockname(listener, $0, &length) == 0 }
        }
        guard bound, Glibc.listen(listener, 64) == 0 else {
            close(listener)
            throw TestFailure("the relay cannot listen on 127.0.0.1: errno \(errno)")
        }
        self.listener = listener
        port = Int(UInt16(bigEndian: address.sin_port))
        spawn { [self] in acceptLoop() }
    }

    /// Holds every chunk the server sends back for `delay` before passing it on (`.zero`: none).
    public func delayAnswers(by delay: Duration) {
        condition.withLock { answerDelay = delay }
    }

    /// Forwards nothing, either way, until `resume()`; connections stay open, new ones are accepted.
    public func silence() {
        condition.withLock { silent = true }
    }

    /// Forwards again what was held and what comes next.
    public func resume() {
        condition.withLock {
            silent = false
            condition.broadcast()
        }
    }

    /// Closes the listener and every connection, and waits for the relay's threads to end.
    public func stop() {
        condition.withLock {
            stopped = true
            condition.broadcast()
            // Under the lock: a socket in the set is not closed yet, so its number is still ours.
            for socket in sockets { shutdown(socket, Int32(SHUT_RDWR)) }
        }
        shutdown(listener, Int32(SHUT_RDWR))
        _ = threads.wait(timeout: .now() + 10)
        close(listener)
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else {
                if errno == EINTR { continue }
                return
            }
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port: target)
            let connected = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            let admitted = condition.withLock {
                guard !stopped, connected else { return false }
                sockets.formUnion([client, upstream])
                return true
            }
            guard admitted else {
                close(client)
                close(upstream)
                continue
            }
            let pair = ConnectionPair()
            spawn { [self] in pump(from: client, to: upstream, answers: false, pair: pair) }
            spawn { [self] in pump(from: upstream, to: client, answers: true, pair: pair) }
        }
    }

    /// Copies `source` to `destination` chunk by chunk, as the relay's mode allows; the second
    /// direction to end closes both sockets.
    private func pump(from source: Int32, to destination: Int32, answers: Bool, pair: ConnectionPair) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = read(source, &buffer, buffer.count)
            if count < 0, errno == EINTR { continue }
            guard count > 0, let delay = passage(answers: answers) else { break }
            if delay > .zero { Thread.sleep(forTimeInterval: Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18) }
            var sent = 0
            while sent < count {
                let written = buffer.withUnsafeBytes { send(destination, $0.baseAddress! + sent, count - sent, Int32(MSG_NOSIGNAL)) }
                guard written > 0 else { break }
                sent += written
            }
            guard sent == count else { break }
        }
        shutdown(destination, Int32(SHUT_WR))
        guard pair.finishOne() else { return }
        condition.withLock {
            sockets.remove(source)
            sockets.remove(destination)
            close(source)
            close(destination)
        }
    }

    /// Waits while the relay is silent; the delay to apply, or nil once the relay is stopped.
    private func passage(answers: Bool) -> Duration? {
        condition.withLock {
            while silent, !stopped { condition.wait() }
            return stopped ? nil : answers ? answerDelay : .zero
        }
    }

    private func spawn(_ body: @escaping @Sendable () -> Void) {
        threads.enter()
        let thread = Thread { [threads] in
            body()
            threads.leave()
        }
        thread.start()
    }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}

/// Counts the two directions of one relayed connection; the second to end closes it.
private final class ConnectionPair: Sendable {
    private let ended = Mutex(0)

    /// True for the second caller.
    func finishOne() -> Bool {
        ended.withLock {
            $0 += 1
            return $0 == 2
        }
    }
}

/// Runs `body` with a relay to `port` (an emulator's), stopping the relay afterwards.
public func withTCPRelay<Result: Sendable>(to port: Int, _ body: (TCPRelay) async throws -> Result) async throws -> Result {
    let relay = try TCPRelay(to: port)
    do {
        let result = try await body(relay)
        relay.stop()
        return result
    } catch {
        relay.stop()
        throw error
    }
}
