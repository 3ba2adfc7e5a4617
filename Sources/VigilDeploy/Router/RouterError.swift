/// A router that cannot do what was asked, with a message an operator can act on (the address
/// in use, nginx's own `-t` output, the file that could not be written).
public struct RouterError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
