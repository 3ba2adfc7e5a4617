import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Hands memory freed after a burst back to the kernel.
///
/// glibc keeps freed heap in its arenas; after a load spike the engine's resident size would
/// stay at its peak although the live data is far smaller. Trimming every few seconds (a
/// cheap call when there is nothing to return) keeps RSS close to what is really in use,
/// which is what Vigil's memory limits judge the engine by.
enum MemoryTrimmer {
    private typealias Trim = @convention(c) (Int) -> Int32

    /// glibc's `malloc_trim`, looked up at run time (the Glibc module does not export
    /// `<malloc.h>`); nil on other C libraries, where trimming is skipped.
    private static let trim: Trim? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: Trim.self)
        #else
        return nil
        #endif
    }()

    /// Trims every `interval` until the surrounding task is cancelled.
    static func run(every interval: Duration = .seconds(5)) async {
        guard let trim else { return }
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            _ = trim(0)
        }
    }
}
