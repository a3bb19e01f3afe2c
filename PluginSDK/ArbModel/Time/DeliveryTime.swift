/// When a dated future named by its delivery date delivers: that day at 08:00 UTC, the
/// convention of Binance, OKX, Bybit and Deribit quarterlies. The host's configuration and the
/// adapters use this one rule, so `venue:SYMBOL:dated_future:2025-03-28` in strategies.yaml and
/// the venue's own instrument are the same instrument.
public enum DeliveryTime {
    /// "2025-03-28" as ns since the epoch at 08:00 UTC; years 1970...2261 (Int64 ns reach 2262);
    /// nil for anything else, including days a month does not have.
    public static func nanoseconds(forDate text: String) -> Int64? {
        let b = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            var n = 0
            for i in range {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b[i]) else { return nil }
                n = n * 10 + Int(b[i] - UInt8(ascii: "0"))
            }
            return n
        }
        guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              let y = number(0..<4), let m = number(5..<7), let d = number(8..<10),
              (1970...2261).contains(y), (1...12).contains(m) else { return nil }
        let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
        let monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard d >= 1, d <= monthDays[m - 1] else { return nil }
        // Days from the civil date (H. Hinnant's algorithm, years ≥ 1970 so no negative eras).
        let year = m <= 2 ? y - 1 : y
        let era = year / 400, yearOfEra = year - era * 400
        let dayOfYear = (153 * ((m + 9) % 12) + 2) / 5 + d - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = Int64(era * 146_097 + dayOfEra - 719_468)
        return days * 86_400_000_000_000 + 8 * 3_600_000_000_000
    }
}
