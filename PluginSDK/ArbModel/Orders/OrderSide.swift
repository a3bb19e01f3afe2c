/// Order side.
public enum OrderSide: Int32, Sendable {
    case buy = 1, sell
    public var opposite: OrderSide { self == .buy ? .sell : .buy }
}
