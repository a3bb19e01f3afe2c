import ArbSDK
import VenueWire
import ArbModel
/// Binance's rules for keeping a local book from a REST snapshot and the diff stream, for one
/// symbol (https://developers.binance.com: "How to manage a local order book correctly").
///
/// USD-M futures: drop diffs with u < lastUpdateId; the first kept diff has U ≤ lastUpdateId ≤ u
/// (or pu = lastUpdateId, for a snapshot cut exactly between two diffs); after it, each diff's
/// pu equals the previous u. Spot: drop u ≤ lastUpdateId; the first kept
/// diff has U ≤ lastUpdateId + 1 ≤ u; after it each U equals the previous u + 1. Diffs that
/// arrive before the snapshot are buffered by the caller and checked once it arrives.
public struct BinanceBookSync: Sendable {
    public enum Market: Sendable { case usdm, spot }

    public enum Decision: Sendable, Equatable {
        /// Apply this diff to the book.
        case apply
        /// Older than the snapshot: ignore it.
        case dropStale
        /// No snapshot yet: keep it and check it again after `snapshot`.
        case buffer
        /// The chain broke: the book is wrong until a new snapshot.
        case gap(expected: UInt64, received: UInt64)
    }

    public let market: Market
    /// lastUpdateId of the snapshot in use; nil before the first or after a gap.
    public private(set) var snapshotId: UInt64?
    /// u of the last applied diff (or the snapshot's id before the first).
    public private(set) var lastFinalId: UInt64 = 0
    private var synced = false
    public private(set) var gaps = 0

    public init(market: Market) { self.market = market }

    /// A snapshot arrived: the book restarts from it.
    public mutating func snapshot(lastUpdateId: UInt64) {
        snapshotId = lastUpdateId
        lastFinalId = lastUpdateId
        synced = false
    }

    /// What to do with a diff (U, u, pu; pu is 0 on spot).
    public mutating func check(first U: UInt64, final u: UInt64, previous pu: UInt64) -> Decision {
        guard let snapshot = snapshotId else { return .buffer }
        switch market {
        case .usdm:
            if !synced {
                if u < snapshot { return .dropStale }
                // The first diff straddles the snapshot, or (a snapshot taken exactly at a diff
                // boundary, as a simulated venue's) continues it: pu == lastUpdateId.
                guard U <= snapshot || pu == snapshot else { return breakChain(expected: snapshot, received: U) }
                synced = true
            } else if pu != lastFinalId {
                return breakChain(expected: lastFinalId, received: pu)
            }
        case .spot:
            if !synced {
                if u <= snapshot { return .dropStale }
                guard U <= snapshot + 1 else { return breakChain(expected: snapshot + 1, received: U) }
                synced = true
            } else if U != lastFinalId + 1 {
                return breakChain(expected: lastFinalId + 1, received: U)
            }
        }
        lastFinalId = u
        return .apply
    }

    private mutating func breakChain(expected: UInt64, received: UInt64) -> Decision {
        gaps += 1
        snapshotId = nil
        synced = false
        return .gap(expected: expected, received: received)
    }
}
