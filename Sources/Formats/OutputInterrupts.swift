import Dispatch
import Foundation
import Synchronization

/// The temporaries (and commit-time backups) of `OutputFiles` in this process that are not yet moved
/// into place or removed.
let liveTemporaries = Mutex<Set<String>>([])

extension OutputFiles {
    nonisolated(unsafe) private static var signalSources: [any DispatchSourceSignal] = []

    /// Makes SIGINT, SIGTERM and SIGHUP remove the temporaries of outputs not yet committed and then end
    /// the process with status 128 + the signal, so an interrupted command leaves nothing behind (a
    /// SIGKILL still can: the temporaries are hidden). For command-line tools: call it once, at the start
    /// of a command that writes through `OutputFiles`, and install no other handler for these signals.
    public static func removeTemporariesOnInterrupt() {
        guard signalSources.isEmpty else { return }
        for number in [SIGINT, SIGTERM, SIGHUP] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                liveTemporaries.withLock { paths in
                    for path in paths { unlink(path) }
                }
                exit(128 + number)
            }
            source.resume()
            signalSources.append(source)
        }
    }
}
