import ArbModel
import ArbSDK

/// Every event type the host routes: the seed's EventType, plus what the plugin ABI adds.
public enum EventType: Int, CaseIterable, Sendable {
    // Market data
    case orderBookUpdate
    case tradeUpdate
    case priceUpdate
    case bookStale
    case bookResynced
    // Funding
    case fundingRateUpdate
    case fundingSettlement
    // Arbitrage
    case arbitrageOpportunityFound
    case arbitrageOpportunityExpired
    // Trading
    case orderCreated
    case orderUpdated
    case orderFilled
    case orderCancelled
    case orderRejected
    case fill
    case actionResult
    case balanceUpdated
    // Positions
    case positionOpened
    case positionClosed
    case positionUpdated
    // Risk
    case riskAlert
    case riskLimitBreach
    case emergencyStop
    // System
    case systemStartup
    case systemShutdown
    case exchangeConnected
    case exchangeDisconnected
    case configApplied
    case configRejected
    case pluginSwapped
    case pluginSwapFailed
    /// A dense index for handler tables.

    /// The seed's name for the type ("orderbook_update").
    public var name: String {
        switch self {
        case .orderBookUpdate: "orderbook_update"
        case .tradeUpdate: "trade_update"
        case .priceUpdate: "price_update"
        case .bookStale: "book_stale"
        case .bookResynced: "book_resynced"
        case .fundingRateUpdate: "funding_rate_update"
        case .fundingSettlement: "funding_settlement"
        case .arbitrageOpportunityFound: "arbitrage_opportunity_found"
        case .arbitrageOpportunityExpired: "arbitrage_opportunity_expired"
        case .orderCreated: "order_created"
        case .orderUpdated: "order_updated"
        case .orderFilled: "order_filled"
        case .orderCancelled: "order_cancelled"
        case .orderRejected: "order_rejected"
        case .fill: "fill"
        case .actionResult: "action_result"
        case .balanceUpdated: "balance_updated"
        case .positionOpened: "position_opened"
        case .positionClosed: "position_closed"
        case .positionUpdated: "position_updated"
        case .riskAlert: "risk_alert"
        case .riskLimitBreach: "risk_limit_breach"
        case .emergencyStop: "emergency_stop"
        case .systemStartup: "system_startup"
        case .systemShutdown: "system_shutdown"
        case .exchangeConnected: "exchange_connected"
        case .exchangeDisconnected: "exchange_disconnected"
        case .configApplied: "config_applied"
        case .configRejected: "config_rejected"
        case .pluginSwapped: "plugin_swapped"
        case .pluginSwapFailed: "plugin_swap_failed"
        }
    }

    /// A dense index for handler tables.
    @inline(__always) var index: Int { rawValue }
}
