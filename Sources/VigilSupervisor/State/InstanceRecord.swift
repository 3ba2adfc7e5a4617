import Foundation

/// A process Vigil started, remembered in `vigil.db` so a restarted Vigil can find what a
/// `kill -9` of its predecessor left running.
///
/// `startTime` is field 22 of `/proc/<pid>/stat` (clock ticks since boot): together with `pid`
/// it tells a leftover apart from an unrelated process that reused the pid.
public struct InstanceRecord: Sendable, Equatable, Codable {
    public var service: String
    /// `blue`/`green` for blue-green services, `"default"` otherwise.
    public var color: String
    public var pid: Int32
    /// The process group the instance leads; signals go to the whole group.
    public var pgid: Int32
    public var startTime: UInt64
    public var spawnedAt: Date
    /// The ``InstanceMarker`` value the instance was started with; nil in records written before
    /// Vigil marked its instances.
    public var marker: String?

    /// The color used for services that are not blue-green.
    public static let defaultColor = "default"

    /// `pgid` defaults to `pid` (every instance is spawned as a group leader).
    public init(service: String, color: String = InstanceRecord.defaultColor, pid: Int32, pgid: Int32? = nil, startTime: UInt64, spawnedAt: Date = Date(), marker: String? = nil) {
        self.service = service
        self.color = color
        self.pid = pid
        self.pgid = pgid ?? pid
        self.startTime = startTime
        self.spawnedAt = spawnedAt
        self.marker = marker
    }
}
