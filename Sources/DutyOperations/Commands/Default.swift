// A request field with a default: an API client may leave it out. (A synthesized `Decodable` ignores a
// property's initial value and requires the key; `@Default<False> var subtree: Bool` does not.)

/// Where a `@Default` field's value comes from when the key is missing.
package protocol DefaultValue {
    associatedtype Value: Codable & Sendable & Equatable
    static var value: Value { get }
}

@propertyWrapper
package struct Default<D: DefaultValue>: Codable, Sendable, Equatable {
    package var wrappedValue: D.Value

    package init() { wrappedValue = D.value }
    package init(wrappedValue: D.Value) { self.wrappedValue = wrappedValue }

    package init(from decoder: any Decoder) throws {
        wrappedValue = try decoder.singleValueContainer().decode(D.Value.self)
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(wrappedValue)
    }
}

extension KeyedDecodingContainer {
    /// A missing key is the default; a key with a value of the wrong type is still an error.
    package func decode<D>(_ type: Default<D>.Type, forKey key: Key) throws -> Default<D> {
        try decodeIfPresent(type, forKey: key) ?? Default()
    }
}

package enum False: DefaultValue { package static var value: Bool { false } }
package enum NoWords: DefaultValue { package static var value: [String] { [] } }
package enum AllOccurrences: DefaultValue { package static var value: OccurrencesRequest { OccurrencesRequest() } }
package enum HundredRows: DefaultValue { package static var value: Int { 100 } }
package enum FiveTimes: DefaultValue { package static var value: Int { 5 } }
