import Glibc
import ArbModel
import Testing
@testable import PaperExchange

// Fixtures and event accessors shared by the paper exchange tests.

/// A decimal literal written by the test (a typo is reported as a test issue, not a trap).
func d(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> ExactDecimal {
    do { return try ExactDecimal(parsing: text) } catch {
        Issue.record("bad decimal literal \(text): \(error)", sourceLocation: sourceLocation)
        return .zero
    }
}

let hour: Int64 = 3_600_000_000_000
let t0: Int64 = 1_717_200_000_000_000_000 // 2024-06-01T00:00:00Z, a multiple of 8 h

enum Fixture {
    static let spotId: UInt32 = 1
    static let perpId: UInt32 = 2
    static let perp4hId: UInt32 = 3
    static let futureId: UInt32 = 4
    static let expiry = t0 + 24 * hour

    /// Binance-like spot: 0.1% fees both ways.
    static let spot = PaperInstrument(
        id: spotId, symbol: "BTCUSDT", kind: .spot, base: "BTC", quote: "USDT", tickSize: d("0.01"),
        lotSize: d("0.00001"), minQuantity: d("0.00001"), minNotional: d("5"), makerFee: d("0.001"), takerFee: d("0.001"))

    /// USDⓈ-M style perpetual, 8 h funding, 20x (5% initial margin).
    static let perp = PaperInstrument(
        id: perpId, symbol: "BTCUSDT-PERP", kind: .perpetual, base: "BTC", quote: "USDT", tickSize: d("0.1"),
        lotSize: d("0.001"), minQuantity: d("0.001"), minNotional: d("5"), makerFee: d("0.0002"), takerFee: d("0.0004"),
        initialMargin: d("0.05"), maintenanceMargin: d("0.004"), fundingInterval: 8 * hour)

    /// A perpetual on a venue with 4 h funding and a 0.018% taker fee, 10x.
    static let perp4h = PaperInstrument(
        id: perp4hId, symbol: "BTC-PERP-4H", kind: .perpetual, base: "BTC", quote: "USDT", tickSize: d("0.1"),
        lotSize: d("0.001"), minQuantity: d("0.001"), minNotional: d("5"), makerFee: d("0.0001"), takerFee: d("0.00018"),
        initialMargin: d("0.1"), maintenanceMargin: d("0.005"), fundingInterval: 4 * hour)

    /// A quarterly future expiring at `expiry`.
    static let future = PaperInstrument(
        id: futureId, symbol: "BTCUSDT_240602", kind: .datedFuture, expiry: expiry, base: "BTC", quote: "USDT",
        tickSize: d("0.1"), lotSize: d("0.001"), minQuantity: d("0.001"), minNotional: d("5"), makerFee: d("0.0002"),
        takerFee: d("0.0004"), initialMargin: d("0.05"), maintenanceMargin: d("0.004"))

    static let all = [spot, perp, perp4h, future]

    static func venue(usdt: String = "100000", btc: String = "1") -> PaperExchange {
        PaperExchange(instruments: all, balances: ["USDT": d(usdt), "BTC": d(btc)])
    }
}

/// Order request shorthand.
func limit(_ id: String, _ instrument: UInt32, _ side: OrderSide, _ quantity: String, _ price: String,
           _ tif: PaperTimeInForce = .gtc, reduceOnly: Bool = false) -> PaperOrderRequest {
    PaperOrderRequest(clientOrderId: id, instrument: instrument, side: side, type: .limit, timeInForce: tif,
                      quantity: d(quantity), price: d(price), reduceOnly: reduceOnly)
}

func market(_ id: String, _ instrument: UInt32, _ side: OrderSide, _ quantity: String,
            _ tif: PaperTimeInForce = .ioc, reduceOnly: Bool = false) -> PaperOrderRequest {
    PaperOrderRequest(clientOrderId: id, instrument: instrument, side: side, type: .market, timeInForce: tif,
                      quantity: d(quantity), reduceOnly: reduceOnly)
}

/// Levels from ("price", "quantity") pairs.
func levels(_ pairs: [(String, String)]) -> [PaperLevel] {
    pairs.map { PaperLevel(price: d($0.0), quantity: d($0.1)) }
}

extension PaperExchange {
    /// Sets a book and lets resting orders react, as the adapter does on each book message.
    @discardableResult
    func feed(_ instrument: UInt32, bids: [(String, String)] = [], asks: [(String, String)] = [],
              now: Int64 = t0) -> [PaperEvent] {
        setBook(instrument: instrument, bids: levels(bids), asks: levels(asks))
        return onBookChanged(instrument: instrument, now: now)
    }
}

extension Array where Element == PaperEvent {
    var fills: [PaperFill] { compactMap { if case .fill(let f) = $0 { f } else { nil } } }
    var accepted: [PaperOrder] { compactMap { if case .accepted(let o) = $0 { o } else { nil } } }
    var updates: [PaperOrder] { compactMap { if case .orderUpdated(let o) = $0 { o } else { nil } } }
    var positions: [PaperPosition] { compactMap { if case .positionChanged(let p) = $0 { p } else { nil } } }
    var balances: [PaperBalance] { compactMap { if case .balanceChanged(let b) = $0 { b } else { nil } } }
    /// The code of the first rejection of any kind.
    var rejectCode: Int32? {
        for event in self {
            switch event {
            case .rejected(_, let code, _), .cancelRejected(_, let code, _), .amendRejected(_, let code, _),
                 .settlementRejected(_, let code, _):
                return code
            default: continue
            }
        }
        return nil
    }
    /// Funding payments as (positionQuantity, amount).
    var funding: [(ExactDecimal, ExactDecimal)] {
        compactMap { if case .fundingPayment(_, _, let q, _, let a, _) = $0 { (q, a) } else { nil } }
    }
    /// The final order updates (filled / cancelled / expired).
    var finals: [PaperOrder] { updates.filter { $0.status.isFinal } }
}

/// A fresh directory under /tmp for journal files, removed with its files when released.
final class TemporaryDirectory {
    let path: String

    init() {
        var template = Array("/tmp/paper-exchange-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }
        if made == nil { Issue.record("mkdtemp failed: errno \(errno)") }
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A path inside the directory.
    func file(_ name: String) -> String { path + "/" + name }

    deinit {
        guard let dir = opendir(path) else { return }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        closedir(dir)
        for name in names { unlink(file(name)) }
        rmdir(path)
    }
}

/// The whole file as text ("" if missing).
func contents(_ path: String) -> String {
    let bytes = (try? PaperJournal.readAll(path)) ?? []
    return String(decoding: bytes, as: UTF8.self)
}

/// Appends raw bytes to a file, as a crash mid-write would leave them.
func appendRaw(_ path: String, _ text: String) {
    let fd = open(path, O_WRONLY | O_APPEND)
    guard fd >= 0 else { Issue.record("open \(path) failed"); return }
    defer { close(fd) }
    var bytes = Array(text.utf8)
    let written = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress, $0.count) }
    if written != bytes.count { Issue.record("short write to \(path)") }
}

/// Replaces a file's content.
func overwrite(_ path: String, _ text: String) {
    let fd = open(path, O_WRONLY | O_TRUNC)
    guard fd >= 0 else { Issue.record("open \(path) failed"); return }
    close(fd)
    appendRaw(path, text)
}
