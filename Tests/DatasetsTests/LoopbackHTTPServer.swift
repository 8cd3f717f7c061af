import Foundation
#if canImport(Glibc)
import Glibc
private let systemSend = Glibc.send
#else
import Darwin
private let systemSend = Darwin.send
#endif

/// A small HTTP/1.1 server on 127.0.0.1 and an ephemeral port, for download tests: it serves
/// bytes the test made, honours `Range: bytes=N-`, and can be told to misbehave per path. It
/// records every request. One thread per connection; every answer closes its connection.
final class LoopbackHTTPServer: @unchecked Sendable {
    /// What the server does for a path.
    enum Behaviour: Sendable {
        /// 200 with the bytes, or 206 with the rest for `Range: bytes=N-` (416 past the end).
        case serve([UInt8])
        /// Always 200 with all the bytes, whatever range was asked for.
        case ignoreRange([UInt8])
        /// Like `serve`, but announces the full length and closes the connection after sending
        /// `after` bytes of the body.
        case cutShort([UInt8], after: Int)
        /// This status with a short text body, e.g. 404.
        case status(Int)
        /// Reads the request and never answers (until the server stops).
        case stall
    }

    /// One request as received.
    struct Request: Sendable {
        let path: String
        /// Header names lowercased.
        let headers: [String: String]
        var range: String? { headers["range"] }
    }

    let port: UInt16
    /// "http://127.0.0.1:<port>/"
    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)/")! }

    private let listener: Int32
    private let lock = NSLock()
    private var behaviours: [String: Behaviour] = [:]
    private var recorded: [Request] = []
    private var stopped = false
    private let stopSignal = DispatchSemaphore(value: 0)
    private var openConnections: Set<Int32> = []

    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw ServerError("socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 16) == 0 else {
            close(listener)
            throw ServerError("bind/listen: \(String(cString: strerror(errno)))")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.listener = listener
        self.port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    deinit { stop() }

    /// Sets what the server does for `path` (e.g. "/mnist/train-images-idx3-ubyte.gz").
    func set(_ path: String, _ behaviour: Behaviour) {
        lock.withLock { behaviours[path] = behaviour }
    }

    var requests: [Request] { lock.withLock { recorded } }

    /// Stops accepting, ends stalled answers and closes every connection.
    func stop() {
        let connections: Set<Int32>? = lock.withLock {
            if stopped { return nil }
            stopped = true
            return openConnections
        }
        guard let connections else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for connection in connections { shutdown(connection, Int32(SHUT_RDWR)) }
        for _ in 0..<64 { stopSignal.signal() }
    }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return
            }
            let accepted: Bool = lock.withLock {
                if stopped { return false }
                openConnections.insert(connection)
                return true
            }
            guard accepted else { close(connection); return }
            let thread = Thread { [self] in
                handle(connection)
                lock.withLock { _ = openConnections.remove(connection) }
                close(connection)
            }
            thread.start()
        }
    }

    private func handle(_ connection: Int32) {
        guard let request = readRequest(connection) else { return }
        let behaviour: Behaviour? = lock.withLock {
            recorded.append(request)
            return behaviours[request.path]
        }
        switch behaviour ?? .status(404) {
        case .serve(let bytes):
            answer(connection, bytes: bytes, range: request.range)
        case .ignoreRange(let bytes):
            send(connection, head: "200 OK", headers: ["Content-Length": "\(bytes.count)"], body: bytes[...])
        case .cutShort(let bytes, let after):
            let start = Self.rangeStart(request.range) ?? 0
            if start > 0 {
                send(connection, head: "206 Partial Content",
                     headers: ["Content-Length": "\(bytes.count - start)",
                               "Content-Range": "bytes \(start)-\(bytes.count - 1)/\(bytes.count)"],
                     body: bytes[start..<min(bytes.count, start + after)])
            } else {
                send(connection, head: "200 OK", headers: ["Content-Length": "\(bytes.count)"], body: bytes[..<min(bytes.count, after)])
            }
        case .status(let code):
            let body = Array("status \(code)\n".utf8)
            send(connection, head: "\(code) \(HTTPURLResponseWords.words(code))", headers: ["Content-Length": "\(body.count)"], body: body[...])
        case .stall:
            stopSignal.wait()
        }
    }

    private func answer(_ connection: Int32, bytes: [UInt8], range: String?) {
        guard let start = Self.rangeStart(range) else {
            return send(connection, head: "200 OK", headers: ["Content-Length": "\(bytes.count)"], body: bytes[...])
        }
        guard start < bytes.count else {
            return send(connection, head: "416 Range Not Satisfiable",
                        headers: ["Content-Length": "0", "Content-Range": "bytes */\(bytes.count)"], body: [][...])
        }
        send(connection, head: "206 Partial Content",
             headers: ["Content-Length": "\(bytes.count - start)",
                       "Content-Range": "bytes \(start)-\(bytes.count - 1)/\(bytes.count)"],
             body: bytes[start...])
    }

    /// "bytes=123-" -> 123.
    private static func rangeStart(_ range: String?) -> Int? {
        guard let range, range.hasPrefix("bytes="), range.hasSuffix("-") else { return nil }
        return Int(range.dropFirst("bytes=".count).dropLast())
    }

    private func send(_ connection: Int32, head: String, headers: [String: String], body: ArraySlice<UInt8>) {
        var text = "HTTP/1.1 \(head)\r\nConnection: close\r\nContent-Type: application/octet-stream\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { text += "\(name): \(value)\r\n" }
        text += "\r\n"
        writeAll(connection, Array(text.utf8)[...])
        writeAll(connection, body)
        // Send everything, then the end of the stream: a cut-short body ends here too.
        shutdown(connection, Int32(SHUT_WR))
    }

    private func writeAll(_ connection: Int32, _ bytes: ArraySlice<UInt8>) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let count = systemSend(connection, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                if count <= 0 { return }
                offset += count
            }
        }
    }

    private func readRequest(_ connection: Int32) -> Request? {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        let end = Array("\r\n\r\n".utf8)
        while received.count < 65536 {
            let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return nil }
            received += chunk[..<count]
            if received.count >= 4, received.indices.dropLast(3).contains(where: { Array(received[$0..<$0 + 4]) == end }) { break }
        }
        let text = String(decoding: received, as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n")
        let requestLine = lines[0].split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Request(path: String(requestLine[1]), headers: headers)
    }

    struct ServerError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

/// Reason phrases for the statuses the tests use.
private enum HTTPURLResponseWords {
    static func words(_ code: Int) -> String {
        switch code {
        case 403: "Forbidden"
        case 404: "Not Found"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}

/// A loopback port nothing listens on (bound, then closed): connecting there is refused.
func closedLoopbackPort() -> UInt16 {
    let probe = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(probe) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    _ = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(probe, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(probe, $0, &length) }
    }
    return UInt16(bigEndian: address.sin_port)
}
