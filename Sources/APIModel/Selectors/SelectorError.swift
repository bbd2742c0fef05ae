/// A label or field selector that does not parse, or names a field the resource cannot be
/// selected by. The message names the offending term so a user can fix their command line;
/// the apiserver answers it as a 400 BadRequest.
public struct SelectorError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
