import Foundation
import Synchronization

/// A TCP port on 127.0.0.1 that nothing listens on right now, for a service under test.
///
/// It is picked below the kernel's ephemeral range (`ip_local_port_range`): a port from that
/// range can be taken as the local end of any outgoing connection (every AMQP and HTTP client
/// in the test makes some) between the pick and the service's bind, and then the service
/// fails to start. Below it, only another listener could take it; this process never hands
/// out the same port twice, and other processes pick at random among thousands.
public func freePort() throws -> Int {
    let (low, high) = PortPicker.candidates
    for _ in 0..<200 {
        let port = Int.random(in: low...high)
        guard PortPicker.handedOut.withLock({ $0.insert(port).inserted }) else { continue }
        if PortPicker.isFree(port) { return port }
    }
    throw POSIXError(.EADDRINUSE)
}

enum PortPicker {
    static let handedOut = Mutex<Set<Int>>([])

    /// Ports from 10,000 up to just below the ephemeral range (32,768 by default on Linux).
    static let candidates: (Int, Int) = {
        let range = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8))?
            .split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { Int($0) }
        let ephemeralLow = range?.first ?? 32_768
        return ephemeralLow > 11_000 ? (10_000, ephemeralLow - 1) : (1_024, max(1_025, ephemeralLow - 1))
    }()

    static func isFree(_ port: Int) -> Bool { onLoopback(port) { bind($0, $1, $2) == 0 } }
}

/// Runs `body` with a fresh TCP socket and the address 127.0.0.1:`port`; false if no socket
/// could be made. The socket is closed afterwards.
func onLoopback(_ port: Int, _ body: (Int32, UnsafePointer<sockaddr>, socklen_t) -> Bool) -> Bool {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    return withUnsafePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
}
