/// Every bus topic the host and its plugins publish, built in one place.
///
/// Topics are dot-separated segments, most general first, so a subscriber picks a family with a
/// pattern (`data.book.>`, `data.*.sim-a.BTCUSDT`, `system.>`). Venue names and symbols are
/// segments as they are (configured names contain no dots or spaces; symbols are the venue's).
public enum Topic {
    /// `data.book.<venue>.<symbol>`: a book's top after each update (JSON).
    public static func book(venue: String, symbol: String) -> String { "data.book.\(venue).\(symbol)" }

    /// `data.trades.<venue>.<symbol>`: each trade (JSON).
    public static func trades(venue: String, symbol: String) -> String { "data.trades.\(venue).\(symbol)" }

    /// `data.funding.<venue>.<symbol>`: a perpetual's funding rate, per hour and annualised.
    public static func funding(venue: String, symbol: String) -> String { "data.funding.\(venue).\(symbol)" }

    /// `data.funding_settlement.<venue>.<symbol>`: a funding payment on a position.
    public static func fundingSettlement(venue: String, symbol: String) -> String {
        "data.funding_settlement.\(venue).\(symbol)"
    }

    /// `system.<event>`: host events (startup, config_applied, plugin_swapped, …), by the
    /// seed's event type names.
    public static func system(_ event: String) -> String { "system.\(event)" }

    /// `custom.<strategy>.<name>`: what a strategy publishes for others (its configured name).
    public static func custom(strategy: String, _ name: String) -> String { "custom.\(strategy).\(name)" }
}
