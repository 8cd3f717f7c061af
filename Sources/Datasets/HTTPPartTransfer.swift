import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP GET streamed into a `.part` file, continuing it from `resumeFrom` bytes with a
/// `Range: bytes=N-` request when it already has some.
///
/// A 206 answer that starts where asked is appended; a 200 answer means the server sends the
/// whole file, so the `.part` is emptied first. Bytes go to disk as they arrive. URLSession
/// (libcurl underneath on Linux) runs the request on its own queue; `run` waits for it on the
/// calling thread and reports progress there a few times a second.
final class HTTPPartTransfer: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    /// How the request ended.
    enum Outcome: Equatable {
        /// The server sent everything it announced (or said with 416 that the `.part` already
        /// holds the whole file): the `.part` is ready to be checked.
        case complete
        /// The `.part` cannot be continued from this server (it sent a different range); start over.
        case cannotContinue(String)
        /// This mirror failed: HTTP status, connection, timeout, a short body, a write error.
        case failed(String)
    }

    /// What has happened so far; read under the lock.
    struct Snapshot {
        /// Whether the server has answered with a status we accepted.
        var responded = false
        /// Where the server's body starts in the file: the resume offset, or 0 after a 200.
        var startOffset: Int64 = 0
        var bytesOnDisk: Int64 = 0
        var totalBytes: Int64?
        var outcome: Outcome?
    }

    private let request: URLRequest
    private let resumeOffset: Int64
    private let idleTimeout: TimeInterval
    private let partPath: String
    /// The open `.part`: opened when the server answers with bytes to keep (so a 404 leaves no
    /// empty `.part`); used on the session's queue, then by `run` after the request ended.
    private var descriptor: Int32 = -1
    private let lock = NSLock()
    private var state = Snapshot()
    private let finished = DispatchSemaphore(value: 0)

    /// Prepares the request; nothing is sent until `run`.
    init(url: URL, partPath: String, resumeFrom offset: Int64, idleTimeout: TimeInterval) {
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalAndRemoteCacheData, timeoutInterval: idleTimeout)
        if offset > 0 { request.setValue("bytes=\(offset)-", forHTTPHeaderField: "Range") }
        // The files are gzip'd already; a server that compressed them again would break the
        // checksum and the byte ranges.
        request.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        request.setValue("convtutor", forHTTPHeaderField: "User-Agent")
        self.request = request
        self.resumeOffset = offset
        self.idleTimeout = idleTimeout
        self.partPath = partPath
        state.startOffset = offset
        state.bytesOnDisk = offset
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    var snapshot: Snapshot {
        lock.withLock { state }
    }

    /// Sends the request and waits until it ends, calling `report` on this thread when the server
    /// answers (`isFirst`) and about five times a second while bytes arrive.
    func run(report: (Snapshot, _ isFirst: Bool) -> Void) -> Outcome {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalAndRemoteCacheData
        // Seconds without data before giving up; the whole transfer may take as long as it needs.
        configuration.timeoutIntervalForRequest = idleTimeout
        configuration.timeoutIntervalForResource = 24 * 60 * 60
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: configuration, delegate: self, delegateQueue: queue)
        defer { session.finishTasksAndInvalidate() }
        session.dataTask(with: request).resume()

        var reported: (responded: Bool, bytes: Int64) = (false, -1)
        func reportChanges() {
            let now = snapshot
            guard now.responded, (!reported.responded || now.bytesOnDisk != reported.bytes) else { return }
            report(now, !reported.responded)
            reported = (true, now.bytesOnDisk)
        }
        while finished.wait(timeout: .now() + .milliseconds(200)) == .timedOut {
            reportChanges()
        }
        reportChanges()
        if descriptor >= 0, fsync(descriptor) != 0, snapshot.outcome == .complete {
            return .failed("cannot write \(partPath): \(PartFile.errnoText())")
        }
        return snapshot.outcome ?? .failed("the request ended without an answer")
    }

    // MARK: URLSessionDataDelegate (on the session's queue)

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        guard let http = response as? HTTPURLResponse else {
            end(.failed("the answer is not an HTTP response"))
            return completionHandler(.cancel)
        }
        let length = http.expectedContentLength >= 0 ? http.expectedContentLength : nil
        switch http.statusCode {
        case 200:
            // The whole file, whether or not a range was asked for: start the .part over.
            guard openPart(), ftruncate(descriptor, 0) == 0, lseek(descriptor, 0, SEEK_SET) == 0 else {
                end(.failed("cannot write \(partPath): \(PartFile.errnoText())"))
                return completionHandler(.cancel)
            }
            lock.withLock {
                state.startOffset = 0
                state.bytesOnDisk = 0
                state.totalBytes = length
                state.responded = true
            }
            completionHandler(.allow)
        case 206:
            let range = Self.contentRange(http.value(forHTTPHeaderField: "Content-Range"))
            guard let range, range.start == resumeOffset else {
                let sent = range.map { "from byte \($0.start)" } ?? "an unreadable Content-Range"
                end(.cannotContinue("asked for the bytes from \(resumeOffset) on, the server sent \(sent)"))
                return completionHandler(.cancel)
            }
            guard openPart(), lseek(descriptor, off_t(resumeOffset), SEEK_SET) == resumeOffset else {
                end(.failed("cannot write \(partPath): \(PartFile.errnoText())"))
                return completionHandler(.cancel)
            }
            lock.withLock {
                state.totalBytes = range.total ?? length.map { $0 + resumeOffset }
                state.responded = true
            }
            completionHandler(.allow)
        case 416 where resumeOffset > 0:
            // Nothing after byte `resumeOffset`: the .part may already be the whole file; its
            // checksum decides.
            end(.complete)
            completionHandler(.cancel)
        default:
            let words = HTTPURLResponse.localizedString(forStatusCode: http.statusCode)
            end(.failed("HTTP \(http.statusCode) \(words)"))
            completionHandler(.cancel)
        }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard snapshot.outcome == nil else { return }
        let written: Bool = data.withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress else { return true }
            var offset = 0
            while offset < bytes.count {
                let count = write(descriptor, base + offset, bytes.count - offset)
                if count < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += count
            }
            return true
        }
        guard written else {
            end(.failed("cannot write \(partPath): \(PartFile.errnoText())"))
            return dataTask.cancel()
        }
        lock.withLock { state.bytesOnDisk += Int64(data.count) }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        let now = snapshot
        if now.outcome == nil {
            let received = now.totalBytes.map { "after \(now.bytesOnDisk) of \($0) bytes" } ?? "after \(now.bytesOnDisk) bytes"
            if let error {
                end(.failed(describe(error) + (now.responded ? " (\(received))" : "")))
            } else if let total = now.totalBytes, now.bytesOnDisk < total {
                end(.failed("the connection closed \(received)"))
            } else {
                end(.complete)
            }
        }
        finished.signal()
    }

    private func openPart() -> Bool {
        descriptor = open(partPath, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        return descriptor >= 0
    }

    /// Records the outcome; the first one stands (a cancel we asked for reports an error after it).
    private func end(_ outcome: Outcome) {
        lock.withLock {
            if state.outcome == nil { state.outcome = outcome }
        }
    }

    /// A transport error in words: what failed and where.
    private func describe(_ error: Error) -> String {
        let error = error as NSError
        let host = request.url?.host ?? "the server"
        let port = request.url?.port.map { " port \($0)" } ?? ""
        let detail = error.userInfo[NSLocalizedDescriptionKey] as? String
        guard error.domain == NSURLErrorDomain else { return detail ?? "\(error.domain) error \(error.code)" }
        switch error.code {
        case NSURLErrorTimedOut:
            return "no data for \(Self.seconds(idleTimeout)) (timed out)"
        case NSURLErrorCannotFindHost, NSURLErrorDNSLookupFailed:
            return "cannot resolve the host name \(host) (no network connection, or no DNS?)"
        case NSURLErrorCannotConnectToHost:
            return "cannot connect to \(host)\(port) (connection refused or unreachable)"
        case NSURLErrorNotConnectedToInternet:
            return "not connected to a network"
        case NSURLErrorNetworkConnectionLost:
            return "the connection was lost"
        default:
            return detail ?? "network error \(error.code)"
        }
    }

    private static func seconds(_ interval: TimeInterval) -> String {
        interval == 1 ? "1 second" : interval == interval.rounded() ? "\(Int(interval)) seconds" : "\(interval) seconds"
    }

    /// "bytes 100-999/1000" -> (100, 1000); "bytes 100-999/*" -> (100, nil).
    static func contentRange(_ text: String?) -> (start: Int64, total: Int64?)? {
        guard let text, text.lowercased().hasPrefix("bytes ") else { return nil }
        let spec = text.dropFirst("bytes ".count)
        let halves = spec.split(separator: "/", maxSplits: 1)
        guard halves.count == 2, let dash = halves[0].firstIndex(of: "-"),
              let start = Int64(halves[0][..<dash].trimmingCharacters(in: .whitespaces)) else { return nil }
        return (start, Int64(halves[1].trimmingCharacters(in: .whitespaces)))
    }
}
