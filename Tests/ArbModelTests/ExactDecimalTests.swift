import ArbSDK
import Testing
@testable import ArbModel

// MARK: - Helpers

/// Parses a literal the test knows to be valid.
private func d(_ text: some StringProtocol) throws(DecimalError) -> ExactDecimal { try ExactDecimal(parsing: text) }

/// Captures the typed error of a throwing decimal operation.
private func error<T>(_ body: () throws(DecimalError) -> T) -> DecimalError? {
    do { _ = try body(); return nil } catch { return error }
}

extension SplitMix64 {
    /// A value of random bit length (1...128 bits), either sign, so small and huge values both occur.
    mutating func decimal() -> ExactDecimal {
        let bits = Int128(bitPattern: UInt128(next()) << 64 | UInt128(next()))
        return ExactDecimal(units: bits >> Int128(next() % 128))
    }
}

private let largest = "170141183460469231731.687303715884105727"
private let smallest = "-170141183460469231731.687303715884105728"

// MARK: - Parsing and formatting

@Test func exchangeStringsRoundTrip() throws {
    let cases: [(String, String)] = [
        ("0.000049895833333333", "0.000049895833333333"), ("61800.30", "61800.3"), ("-0.0001", "-0.0001"),
        ("61659.70", "61659.7"), ("1.486", "1.486"), ("0.00000001", "0.00000001"), ("-1", "-1"),
        ("0", "0"), ("-0", "0"), ("+0.000", "0"), ("+12.50", "12.5"), ("007.10", "7.1"),
        ("100", "100"), ("1.000000000000000000000", "1"), ("0.000000000000000001", "0.000000000000000001"),
        (largest, largest), (smallest, smallest),
    ]
    for (text, canonical) in cases {
        let value = try d(text)
        #expect(value.description == canonical, "\(text)")
        #expect(try d(canonical) == value, "\(text)")
    }
    #expect(try d("61800.30").units == 61_800_300_000_000_000_000_000)
    #expect(try d("-1") == ExactDecimal(-1))
    #expect(try d("1") == .one)
    #expect(ExactDecimal.max.description == largest)
    #expect(ExactDecimal.min.description == smallest)
    #expect(try d(Substring("x61800.30y").dropFirst().dropLast()).description == "61800.3")
}

@Test func parseErrorsCarryOffsets() {
    let cases: [(String, DecimalError)] = [
        ("", .empty), ("-", .invalidCharacter(offset: 1)), ("+", .invalidCharacter(offset: 1)),
        (".5", .invalidCharacter(offset: 0)), ("-.5", .invalidCharacter(offset: 1)),
        ("1.", .invalidCharacter(offset: 2)), ("1e-8", .invalidCharacter(offset: 1)),
        ("1.5e3", .invalidCharacter(offset: 3)), (" 1", .invalidCharacter(offset: 0)),
        ("1 ", .invalidCharacter(offset: 1)), ("1.2.3", .invalidCharacter(offset: 3)),
        ("--1", .invalidCharacter(offset: 1)), ("12,5", .invalidCharacter(offset: 2)),
        ("abc", .invalidCharacter(offset: 0)), ("\"1\"", .invalidCharacter(offset: 0)),
        ("NaN", .invalidCharacter(offset: 0)), ("0x10", .invalidCharacter(offset: 1)),
        ("1.00000000000000000001", .tooManyFractionDigits), ("0.0000000000000000001", .tooManyFractionDigits),
        // Syntax errors win over overflow and excess digits.
        ("999999999999999999999999x", .invalidCharacter(offset: 24)),
        ("1.0000000000000000001x", .invalidCharacter(offset: 21)),
    ]
    for (text, expected) in cases {
        #expect(error { () throws(DecimalError) in try ExactDecimal(parsing: text) } == expected, "\(text)")
    }
}

@Test func eighteenVersusNineteenFractionDigits() throws {
    #expect(try d("0.123456789012345678").units == 123_456_789_012_345_678)
    #expect(try d("0.1234567890123456780") == d("0.123456789012345678"))
    #expect(error { () throws(DecimalError) in try ExactDecimal(parsing: "0.1234567890123456789") } == .tooManyFractionDigits)
}

@Test func rangeEdges() throws {
    #expect(try d(largest) == .max)
    #expect(try d(smallest) == .min)
    #expect(try d("+" + largest) == .max)
    for text in [
        "170141183460469231731.687303715884105728", "-170141183460469231731.687303715884105729",
        "170141183460469231732", "1000000000000000000000", "99999999999999999999999999999999999999999",
    ] {
        #expect(error { () throws(DecimalError) in try ExactDecimal(parsing: text) } == .overflow, "\(text)")
    }
    // Many leading zeros are harmless.
    #expect(try d("0000000000000000000000000000000000000000012.5").description == "12.5")
}

@Test func parseUTF8SliceOfJSON() throws {
    let json = Array(#"{"p":"61800.30","q":"0.0123"}"#.utf8)
    let price = try json.withUnsafeBytes { raw throws(DecimalError) in
        try ExactDecimal(parsingUTF8: UnsafeRawBufferPointer(rebasing: raw[6..<14]))
    }
    #expect(price.description == "61800.3")
    let empty = error { () throws(DecimalError) in try ExactDecimal(parsingUTF8: UnsafeRawBufferPointer(start: nil, count: 0)) }
    #expect(empty == .empty)
}

@Test func writeToBuffer() throws {
    var bytes = [UInt8](repeating: 0, count: 44)
    let n = bytes.withUnsafeMutableBytes { ExactDecimal.min.write(to: $0) }
    #expect(n == smallest.utf8.count)
    #expect(String(decoding: bytes[0..<(n ?? 0)], as: UTF8.self) == smallest)
    let tooSmall = bytes.withUnsafeMutableBytes { try? d("61800.3").write(to: UnsafeMutableRawBufferPointer(rebasing: $0[0..<6])) }
    #expect(tooSmall == .some(nil))
    let exact = bytes.withUnsafeMutableBytes { try? d("61800.3").write(to: UnsafeMutableRawBufferPointer(rebasing: $0[0..<7])) }
    #expect(exact == 7)
}

@Test func formattedPlaces() throws {
    #expect(try d("0.0001").formatted(places: 8) == "0.00010000")
    #expect(try d("61800.3").formatted(places: 2) == "61800.30")
    #expect(try d("2.5").formatted(places: 0) == "2")
    #expect(try d("3.5").formatted(places: 0) == "4")
    #expect(try d("-2.5").formatted(places: 0) == "-2")
    #expect(try d("0.000000125").formatted(places: 8) == "0.00000012")
    #expect(try d("0.000000135").formatted(places: 8) == "0.00000014")
    #expect(try d("-0.000000001").formatted(places: 8) == "0.00000000")
    #expect(ExactDecimal.zero.formatted(places: 3) == "0.000")
    #expect(try d("-7").formatted(places: 0) == "-7")
    #expect(try d("1.5").formatted(places: 20) == "1.50000000000000000000")
    #expect(ExactDecimal.max.formatted(places: 0) == "170141183460469231732")
    #expect(ExactDecimal.min.formatted(places: 18) == smallest)
}

// MARK: - Arithmetic

@Test func basics() throws {
    #expect(ExactDecimal(7).description == "7")
    #expect(ExactDecimal(Int.min).description == "-9223372036854775808")
    #expect(ExactDecimal.zero.isZero && !ExactDecimal.one.isZero)
    #expect(try d("-0.1").signum == -1 && ExactDecimal.zero.signum == 0 && ExactDecimal.one.signum == 1)
    #expect(try d("-2.5").negated() == d("2.5"))
    #expect(try d("-2.5").absolute() == d("2.5"))
    #expect(try ExactDecimal.max.negated() == ExactDecimal(units: Int128.min + 1))
    #expect(error { () throws(DecimalError) in try ExactDecimal.min.negated() } == .overflow)
    #expect(error { () throws(DecimalError) in try ExactDecimal.min.absolute() } == .overflow)
    #expect(try d("0.1") < d("0.2") && d("-1") < .zero && !(ExactDecimal.one < .one))
    #expect(try [d("3"), d("-1.5"), d("0.01")].sorted().map(\.description) == ["-1.5", "0.01", "3"])
    #expect(try Set([d("1.0"), d("1"), d("1.000")]).count == 1)
}

@Test func addSubtractOverflow() throws {
    #expect(try d("0.1").adding(d("0.2")) == d("0.3"))
    #expect(try d("61800.3").subtracting(d("61659.7")) == d("140.6"))
    let unit = ExactDecimal(units: 1)
    #expect(error { () throws(DecimalError) in try ExactDecimal.max.adding(unit) } == .overflow)
    #expect(error { () throws(DecimalError) in try ExactDecimal.min.subtracting(unit) } == .overflow)
    #expect(error { () throws(DecimalError) in try ExactDecimal.zero.subtracting(.min) } == .overflow)
    #expect(try ExactDecimal.min.adding(.max) == ExactDecimal(units: -1))
    #expect(try d("1.5").multiplied(byInteger: -3) == d("-4.5"))
    #expect(error { () throws(DecimalError) in try ExactDecimal.max.multiplied(byInteger: 2) } == .overflow)
}

@Test func multiplicationIsExact() throws {
    #expect(try d("61800.30").multiplied(by: d("1.486"), rounding: .unnecessary).description == "91835.2458")
    let notional = try d("0.001").multiplied(by: d("60000.0"), rounding: .unnecessary)
    #expect(notional.description == "60")
    #expect(try notional.multiplied(by: d("0.00018"), rounding: .unnecessary).description == "0.0108")
    #expect(try d("-61800.3").multiplied(by: d("0.0123"), rounding: .unnecessary).description == "-760.14369")
    #expect(try d("1.5").multiplied(by: d("-2"), rounding: .unnecessary) == d("-3"))
    // 1e-18 * 0.5 needs rounding: unnecessary refuses, the others decide.
    let tiny = ExactDecimal(units: 1), half = try d("0.5")
    #expect(error { () throws(DecimalError) in try tiny.multiplied(by: half, rounding: .unnecessary) } == .inexact)
    #expect(try tiny.multiplied(by: half, rounding: .halfUp) == tiny)
    #expect(try tiny.multiplied(by: half, rounding: .halfEven) == .zero)
    #expect(try tiny.negated().multiplied(by: half, rounding: .floor) == tiny.negated())
    #expect(try ExactDecimal.min.multiplied(by: .one, rounding: .unnecessary) == .min)
    #expect(try ExactDecimal.max.multiplied(by: d("-1"), rounding: .unnecessary) == ExactDecimal(units: -Int128.max))
    #expect(error { () throws(DecimalError) in try ExactDecimal.min.multiplied(by: d("-1"), rounding: .down) } == .overflow)
    #expect(error { () throws(DecimalError) in try d("10000000000000").multiplied(by: d("100000000"), rounding: .down) } == .overflow)
    #expect(error { () throws(DecimalError) in try ExactDecimal.max.multiplied(by: .max, rounding: .down) } == .overflow)
}

@Test func divisionRounding() throws {
    let one = ExactDecimal.one, three = ExactDecimal(3)
    #expect(try one.divided(by: three, rounding: .down).description == "0.333333333333333333")
    #expect(try one.divided(by: three, rounding: .up).description == "0.333333333333333334")
    #expect(try ExactDecimal(-1).divided(by: three, rounding: .floor).description == "-0.333333333333333334")
    #expect(try ExactDecimal(-1).divided(by: three, rounding: .ceiling).description == "-0.333333333333333333")
    #expect(try ExactDecimal(2).divided(by: three, rounding: .halfEven).description == "0.666666666666666667")
    #expect(error { () throws(DecimalError) in try one.divided(by: three, rounding: .unnecessary) } == .inexact)
    #expect(try d("91835.2458").divided(by: d("1.486"), rounding: .unnecessary).description == "61800.3")
    #expect(try d("0.0108").divided(by: d("-60"), rounding: .unnecessary).description == "-0.00018")
    #expect(try ExactDecimal.max.divided(by: .max, rounding: .unnecessary) == .one)
    #expect(try ExactDecimal.min.divided(by: .one, rounding: .unnecessary) == .min)
    #expect(error { () throws(DecimalError) in try one.divided(by: .zero, rounding: .halfEven) } == .divisionByZero)
    #expect(error { () throws(DecimalError) in try ExactDecimal.max.divided(by: d("0.5"), rounding: .down) } == .overflow)
    #expect(error { () throws(DecimalError) in try ExactDecimal.min.divided(by: d("-1"), rounding: .down) } == .overflow)
}

/// Expected results per mode, in the order down, up, floor, ceiling, halfUp, halfDown, halfEven (nil = inexact for .unnecessary).
private let modes: [RoundingMode] = [.down, .up, .floor, .ceiling, .halfUp, .halfDown, .halfEven]

@Test func everyRoundingModeToPlaces() throws {
    let table: [(String, [String])] = [
        ("2.5", ["2", "3", "2", "3", "3", "2", "2"]),
        ("-2.5", ["-2", "-3", "-3", "-2", "-3", "-2", "-2"]),
        ("3.5", ["3", "4", "3", "4", "4", "3", "4"]),
        ("-3.5", ["-3", "-4", "-4", "-3", "-4", "-3", "-4"]),
        ("2.499999999999999999", ["2", "3", "2", "3", "2", "2", "2"]),
        ("-2.499999999999999999", ["-2", "-3", "-3", "-2", "-2", "-2", "-2"]),
        ("2.500000000000000001", ["2", "3", "2", "3", "3", "3", "3"]),
        ("2.6", ["2", "3", "2", "3", "3", "3", "3"]),
        ("-0.4", ["0", "-1", "-1", "0", "0", "0", "0"]),
    ]
    for (text, expected) in table {
        let value = try d(text)
        for (mode, want) in zip(modes, expected) {
            #expect(try value.rounded(places: 0, rounding: mode).description == want, "\(text) \(mode)")
        }
        #expect(error { () throws(DecimalError) in try value.rounded(places: 0, rounding: .unnecessary) } == .inexact)
    }
    #expect(try d("7").rounded(places: 0, rounding: .unnecessary) == d("7"))
    #expect(try d("1.23456789").rounded(places: 4, rounding: .halfEven) == d("1.2346"))
    #expect(try d("0.000049895833333333").rounded(places: 18, rounding: .unnecessary) == d("0.000049895833333333"))
    #expect(error { () throws(DecimalError) in try ExactDecimal.one.rounded(places: 19, rounding: .down) } == .invalidPlaces)
    #expect(error { () throws(DecimalError) in try ExactDecimal.one.rounded(places: -1, rounding: .down) } == .invalidPlaces)
    #expect(error { () throws(DecimalError) in try ExactDecimal.max.rounded(places: 0, rounding: .up) } == .overflow)
    #expect(try ExactDecimal.min.rounded(places: 0, rounding: .down).description == "-170141183460469231731")
}

@Test func everyRoundingModeToStep() throws {
    let table: [(String, String, [String])] = [
        ("0.25", "0.1", ["0.2", "0.3", "0.2", "0.3", "0.3", "0.2", "0.2"]),
        ("-0.25", "0.1", ["-0.2", "-0.3", "-0.3", "-0.2", "-0.3", "-0.2", "-0.2"]),
        ("0.35", "0.1", ["0.3", "0.4", "0.3", "0.4", "0.4", "0.3", "0.4"]),
        ("0.2499999", "0.1", ["0.2", "0.3", "0.2", "0.3", "0.2", "0.2", "0.2"]),
        ("-0.2499999", "0.1", ["-0.2", "-0.3", "-0.3", "-0.2", "-0.2", "-0.2", "-0.2"]),
        ("1.2345", "0.001", ["1.234", "1.235", "1.234", "1.235", "1.235", "1.234", "1.234"]),
        ("-1.2355", "0.001", ["-1.235", "-1.236", "-1.236", "-1.235", "-1.236", "-1.235", "-1.236"]),
        ("1.23451", "0.001", ["1.234", "1.235", "1.234", "1.235", "1.235", "1.235", "1.235"]),
        ("61800.37", "0.05", ["61800.35", "61800.4", "61800.35", "61800.4", "61800.35", "61800.35", "61800.35"]),
        ("0.0375", "0.025", ["0.025", "0.05", "0.025", "0.05", "0.05", "0.025", "0.05"]),
    ]
    for (text, stepText, expected) in table {
        let value = try d(text), step = try d(stepText)
        for (mode, want) in zip(modes, expected) {
            #expect(try value.rounded(toStep: step, rounding: mode).description == want, "\(text) / \(stepText) \(mode)")
        }
        #expect(error { () throws(DecimalError) in try value.rounded(toStep: step, rounding: .unnecessary) } == .inexact)
    }
    #expect(try d("61800.35").rounded(toStep: d("0.05"), rounding: .unnecessary) == d("61800.35"))
    #expect(error { () throws(DecimalError) in try ExactDecimal.one.rounded(toStep: .zero, rounding: .down) } == .invalidStep)
    #expect(error { () throws(DecimalError) in try ExactDecimal.one.rounded(toStep: d("-0.1"), rounding: .down) } == .invalidStep)
    #expect(error { () throws(DecimalError) in try ExactDecimal.max.rounded(toStep: .one, rounding: .ceiling) } == .overflow)
}

@Test func feesSummedThenRoundedHalfEven() throws {
    // Taker fee 7.5 bp on two fills: per-fill fees are exact, their sum is a tie at 8 places.
    let rate = try d("0.00075")
    var total = ExactDecimal.zero
    for (price, qty) in [("61800.3", "0.0013"), ("61801.1", "0.0005")] {
        let fee = try d(price).multiplied(by: d(qty), rounding: .unnecessary).multiplied(by: rate, rounding: .unnecessary)
        total = try total.adding(fee)
    }
    #expect(total.description == "0.083430705")
    #expect(try total.rounded(places: 8, rounding: .halfEven).description == "0.0834307")
    #expect(try total.rounded(places: 8, rounding: .halfUp).description == "0.08343071")
    #expect(total.formatted(places: 8) == "0.08343070")

    var bigger = ExactDecimal.zero
    for (price, qty) in [("61800.30", "0.0123"), ("61801.10", "0.0045"), ("61799.90", "0.0301")] {
        let notional = try d(price).multiplied(by: d(qty), rounding: .unnecessary)
        bigger = try bigger.adding(notional.multiplied(by: rate, rounding: .unnecessary))
    }
    #expect(bigger.description == "2.1738192225")
    #expect(bigger.formatted(places: 8) == "2.17381922")
}

/// Independent vectors computed with Python's decimal module (precision 200, quantize to 1e-18).
private let pythonVectors: [(String, String, String, RoundingMode, String)] = [
        ("477312.285583388355022308", "div", "0.00000000000000084", .halfUp, "overflow"),
        ("-0.000000000000000008", "mul", "-0.000000000000000444", .down, "0"),
        ("124028019910.958902664300191158", "mul", "0.000000000000000009", .up, "0.000001116252179199"),
        ("0.000000000000000008", "div", "2.661036548695044674", .halfUp, "0.000000000000000003"),
        ("0.000000000013831903", "mul", "0.000109695064175107", .halfUp, "0.000000000000001517"),
        ("-0.000000000000000009", "div", "749942242877.35761817416187676", .floor, "-0.000000000000000001"),
        ("0.000202399450690599", "div", "-0.000646740821963583", .floor, "-0.312952953976354701"),
        ("-12454482702509310668.344414948388391432", "div", "185556778210.414966872215319764", .down, "-67119524.399083703455081385"),
        ("0.000000000000000782", "div", "423347.155683255543546434", .down, "0"),
        ("-0.000000000000000967", "div", "0.000000000000000062", .halfDown, "-15.596774193548387097"),
        ("37126129108881797471.6053094457290254", "div", "-0.000000000099101455", .halfEven, "overflow"),
        ("68336229313418819998.741357055904381415", "div", "0.000000000057783637", .halfDown, "overflow"),
        ("-176738343513.803046270437464521", "mul", "0.000000000031132723", .ceiling, "-5.502345892094076916"),
        ("-0.000000000035265254", "div", "0.000000000056230047", .up, "-0.627160315195895177"),
        ("0.000000000000000007", "div", "-110453567376.134974109886440483", .down, "0"),
        ("-0.000496099684090122", "mul", "-123760.175839339929486089", .halfUp, "61.397384136834488354"),
        ("-0.000000000000000971", "div", "0.000000000000000001", .up, "-971"),
        ("6.408206044276297084", "div", "83040476140347748901.279776890086921899", .ceiling, "0.000000000000000001"),
        ("17386321822685282008.200450602742156734", "mul", "2.978016724133782006", .halfUp, "51776757159128909419.477660373034787745"),
        ("656661.478291936639434347", "div", "1.678848302478712466", .halfUp, "391138.066091151796792526"),
        ("429996.685739811039060436", "mul", "741341.865226828008774589", .halfEven, "318774545047.70571245068551905"),
        ("0.000451133994583191", "mul", "-0.000582806445871921", .down, "-0.000000262923799995"),
        ("-4.780923202390243725", "div", "422559.345837592350222821", .down, "-0.000011314205328753"),
        ("-0.000255404963985545", "mul", "754443.842508519331975187", .ceiling, "-192.688702425004563932"),
        ("102501.973785301413622745", "mul", "-0.000000000000000931", .ceiling, "-0.000000000095429337"),
        ("0.000000000058240437", "mul", "-478540.303332237935282225", .halfDown, "-0.000027870396388182"),
        ("0.000000000022817504", "div", "0.000000000000000002", .halfEven, "11408752"),
        ("0.000000000082083983", "mul", "26527124517011857788.707956440355224601", .down, "2177452037.893284545526721488"),
        ("0.000000000000000001", "mul", "0.000000000058224916", .halfEven, "0"),
        ("-0.000283536681244882", "div", "-0.00066026860239376", .halfEven, "0.429426267153910664"),
        ("0.000000000008174466", "div", "800873.845538530826120698", .halfEven, "0.00000000000000001"),
        ("-0.000000000071380338", "mul", "0.000000000000000007", .halfEven, "0"),
        ("-0.000000000023131984", "div", "-0.000000000000000569", .halfEven, "40653.750439367311072056"),
        ("0.000000000000000904", "mul", "-0.000311781087604824", .halfUp, "0"),
        ("55400288949493455645.829691901254095086", "div", "-0.000312083888918957", .halfUp, "overflow"),
        ("0.000589083537568123", "div", "-2.529683873241052605", .ceiling, "-0.000232868440123857"),
        ("-290917.534675248618824069", "mul", "0.000340898724611789", .halfDown, "-99.173416537998156161"),
        ("-565465.894142474033765918", "mul", "0.000000000000000407", .halfDown, "-0.000000000230144619"),
        ("-0.000795248248084208", "div", "-411649302994.172536756783567053", .down, "0.000000000000001931"),
        ("532473.728669886268718265", "mul", "366345245794.698920678506957733", .down, "195069219008789306.699347411385711412"),
        ("-0.000986729959985403", "mul", "0.730273105823175772", .floor, "-0.000720582352487319"),
        ("0.000000000056673996", "div", "2.755352355421303402", .halfDown, "0.000000000020568693"),
        ("69549.372948761159335619", "div", "0.000000000057085086", .down, "1218345768083123.485801860752211181"),
        ("-0.00000000000000082", "div", "0.000297744598969526", .down, "-0.000000000002754038"),
        ("505045.161482289519711393", "mul", "-2.383776842737251628", .down, "-1203914.960477977517743661"),
        ("-0.000000000035150991", "mul", "0.000351272199240548", .floor, "-0.000000000000012348"),
        ("-46026995327454126164.510076114601102964", "mul", "-0.000000000000000004", .halfDown, "184.107981309816504658"),
        ("-0.000534532363445801", "div", "92881135376343401138.536903958604230817", .halfUp, "0"),
        ("3.969391005342357435", "div", "-768855.291050008322503862", .down, "-0.000005162728346346"),
        ("-0.000000000001913291", "div", "-3.011366830532265461", .halfEven, "0.000000000000635356"),
        ("4.468039937841269444", "div", "-0.000000000000000007", .ceiling, "-638291419691609920.571428571428571428"),
        ("-0.000000000000000004", "mul", "-661389.28368144225388596", .floor, "0.000000000002645557"),
        ("-0.000205992457999713", "mul", "655924322323.750801090513852938", .halfUp, "-135115463.417265449015597113"),
        ("-0.000000000000000001", "mul", "-0.000000000000000147", .ceiling, "0.000000000000000001"),
        ("-0.000000000000000004", "mul", "0.00065930790755755", .halfDown, "0"),
        ("894024575657.22010697037009946", "div", "0.000000000005877134", .halfDown, "overflow"),
        ("0.000000000070297512", "mul", "0.000000000000000009", .down, "0"),
        ("0", "mul", "455304.472594666987116665", .halfDown, "0"),
        ("0.000000000000000008", "mul", "85576089664841756337.733364314451137613", .halfDown, "684.608717318734050702"),
        ("0.000000000000000763", "mul", "1.373360060304520798", .halfDown, "0.000000000000001048"),
]

@Test func matchesPythonDecimal() throws {
    for (a, op, b, mode, want) in pythonVectors {
        let x = try d(a), y = try d(b)
        let result = Result { () throws(DecimalError) in
            op == "mul" ? try x.multiplied(by: y, rounding: mode) : try x.divided(by: y, rounding: mode)
        }
        switch result {
        case .success(let value): #expect(value.description == want, "\(a) \(op) \(b) \(mode)")
        case .failure(let failure): #expect(want == "overflow" && failure == .overflow, "\(a) \(op) \(b) \(mode)")
        }
    }
}

// MARK: - Properties

@Test func randomRoundTripsAndIdentities() throws {
    var rng = SplitMix64(seed: 0xA5B_1DEC)
    var multiplications = 0
    for _ in 0..<4000 {
        let a = rng.decimal(), b = rng.decimal()
        #expect(try ExactDecimal(parsing: a.description) == a, "\(a.units)")
        if let sum = try? a.adding(b) { #expect(try sum.subtracting(b) == a, "\(a.units) \(b.units)") }
        #expect(try a.multiplied(by: .one, rounding: .unnecessary) == a)
        #expect(try a.divided(by: .one, rounding: .unnecessary) == a)
        // Floor and ceiling bracket the true quotient within one unit.
        if !b.isZero, let lo = try? a.divided(by: b, rounding: .floor), let hi = try? a.divided(by: b, rounding: .ceiling) {
            #expect(hi.units - lo.units == 0 || hi.units - lo.units == 1)
        }
        // A whole-number factor takes the 256-bit path and must agree with integer multiplication.
        let k = Int(truncatingIfNeeded: rng.next() >> UInt64(rng.next() % 64))
        if let product = try? a.multiplied(byInteger: k) {
            #expect(try ExactDecimal(k).multiplied(by: a, rounding: .unnecessary) == product, "\(a.units) * \(k)")
            if k != 0 { #expect(try product.divided(by: ExactDecimal(k), rounding: .unnecessary) == a) }
            multiplications += 1
        }
    }
    #expect(multiplications > 500)
}

/// The short fast path agrees with the general parser on every input, valid or not: random
/// strings of digits, dots, signs and other bytes, up to 22 bytes (past its 19-byte limit).
@Test func shortFastPathAgreesWithTheGeneralParser() {
    var rng = SplitMix64(seed: 0xFA57)
    let alphabet = Array("0123456789012345678901234567890123456789..-+ex".utf8)
    var fast = 0
    for round in 0..<100_000 {
        let count = Int(rng.next() % 23)
        var text = (0..<count).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
        if round % 4 == 0, count > 2 {
            // Mostly well-formed prices and sizes, the fast path's usual input.
            text = text.map { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "x") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: ".") ? UInt8(ascii: "7") : $0 }
            text[Int(rng.next() % UInt64(count - 1)) + 1] = UInt8(ascii: ".")
        }
        text.withUnsafeBytes { bytes in
            let general = Result { () throws(DecimalError) in try ExactDecimal(parsingAnyUTF8: bytes) }
            let viaPublic = Result { () throws(DecimalError) in try ExactDecimal(parsingUTF8: bytes) }
            if let units = ExactDecimal.shortUnsigned(bytes) {
                fast += 1
                #expect(general == .success(ExactDecimal(units: units)), "\(String(decoding: text, as: UTF8.self))")
            }
            #expect(viaPublic == general, "\(String(decoding: text, as: UTF8.self))")
        }
    }
    #expect(fast > 10_000)
}

// MARK: - C bridge

@Test func cLayout() throws {
    let minusOne = ExactDecimal(-1).cValue
    #expect(minusOne.hi == -1)
    #expect(minusOne.lo == UInt64.max - 1_000_000_000_000_000_000 + 1)
    #expect(ExactDecimal.one.cValue.lo == ARB_DECIMAL_ONE_LO && ExactDecimal.one.cValue.hi == 0)
    #expect(ExactDecimal.min.cValue.hi == Int64.min && ExactDecimal.min.cValue.lo == 0)
    #expect(ExactDecimal.max.cValue.hi == Int64.max && ExactDecimal.max.cValue.lo == UInt64.max)
    for text in ["-1", "0", "61800.3", "-0.000000000000000001", largest, smallest, "-18.446744073709551616"] {
        let value = try d(text)
        #expect(ExactDecimal(value.cValue) == value, "\(text)")
    }
    // The header's inline helpers agree with the Swift side.
    #expect(ExactDecimal(arb_decimal_from_int(-1)) == ExactDecimal(-1))
    #expect(ExactDecimal(arb_decimal_from_int(Int32.min)) == ExactDecimal(Int(Int32.min)))
    var out = arb_decimal_t()
    #expect(arb_decimal_add(try d("0.1").cValue, try d("0.2").cValue, &out) == ARB_OK)
    #expect(ExactDecimal(out) == (try d("0.3")))
    #expect(arb_decimal_compare(try d("-2").cValue, try d("1").cValue) == -1)
    #expect(RoundingMode(cValue: ARB_ROUND_HALF_EVEN) == .halfEven && RoundingMode.unnecessary.cValue == ARB_ROUND_UNNECESSARY)
    #expect(RoundingMode(cValue: 8) == nil && RoundingMode(cValue: -1) == nil)
    #expect(DecimalError.invalidCharacter(offset: 3).status == ARB_ERR_PARSE)
    #expect(DecimalError.inexact.status == ARB_ERR_REJECTED && DecimalError.invalidStep.status == ARB_ERR_INVALID_ARGUMENT)
}

/// Calls the table's parse slot on a Swift string.
private func cParse(_ table: arb_host_decimal_t, _ text: String, _ out: inout arb_decimal_t) throws -> arb_status_t {
    let parse = try #require(table.parse)
    var copy = text
    return copy.withUTF8 { buf in
        buf.withMemoryRebound(to: CChar.self) { parse(arb_str_t(ptr: $0.baseAddress, len: $0.count), &out) }
    }
}

@Test func cTableThroughFunctionPointers() throws {
    let table = HostDecimalTable.table
    #expect(table.struct_size == UInt32(MemoryLayout<arb_host_decimal_t>.size))
    var price = arb_decimal_t(), qty = arb_decimal_t(), notional = arb_decimal_t()
    #expect(try cParse(table, "61800.30", &price) == ARB_OK)
    #expect(try cParse(table, "1.486", &qty) == ARB_OK)
    let mul = try #require(table.mul)
    #expect(mul(price, qty, ARB_ROUND_UNNECESSARY, &notional) == ARB_OK)

    let format = try #require(table.format)
    var buf = [CChar](repeating: 0x7F, count: 44)
    var written = 0
    #expect(format(notional, &buf, buf.count, &written) == ARB_OK)
    #expect(written == 10 && buf[10] == 0)
    #expect(String(decoding: buf[0..<written].map { UInt8(bitPattern: $0) }, as: UTF8.self) == "91835.2458")
    // Needs length + 1 for the NUL: 10 bytes is too small and reports 10.
    written = 0
    #expect(format(notional, &buf, 10, &written) == ARB_ERR_BUFFER_TOO_SMALL)
    #expect(written == 10)
    #expect(format(notional, &buf, 11, nil) == ARB_OK)
    #expect(format(notional, &buf, 0, nil) == ARB_ERR_BUFFER_TOO_SMALL)
    #expect(format(ExactDecimal.min.cValue, &buf, 44, &written) == ARB_OK && written == 41)
    #expect(format(notional, nil, 44, &written) == ARB_ERR_INVALID_ARGUMENT)

    var scratch = arb_decimal_t(lo: 42, hi: 42)
    #expect(try cParse(table, "1e-8", &scratch) == ARB_ERR_PARSE)
    #expect(try cParse(table, "", &scratch) == ARB_ERR_PARSE)
    #expect(try cParse(table, "0.0000000000000000001", &scratch) == ARB_ERR_REJECTED)
    #expect(try cParse(table, "170141183460469231731.687303715884105728", &scratch) == ARB_ERR_OVERFLOW)
    #expect(scratch.lo == 42 && scratch.hi == 42) // untouched on failure
    let parse = try #require(table.parse)
    #expect(parse(arb_str_t(ptr: nil, len: 0), &scratch) == ARB_ERR_PARSE)
    #expect(parse(arb_str_t(ptr: nil, len: 3), &scratch) == ARB_ERR_INVALID_ARGUMENT)
    #expect(parse(arb_str_t(ptr: nil, len: 0), nil) == ARB_ERR_INVALID_ARGUMENT)

    let div = try #require(table.div), roundPlaces = try #require(table.round_places)
    let roundStep = try #require(table.round_to_step)
    var out = arb_decimal_t()
    #expect(div(ExactDecimal.one.cValue, ExactDecimal(3).cValue, ARB_ROUND_DOWN, &out) == ARB_OK)
    #expect(ExactDecimal(out).description == "0.333333333333333333")
    #expect(div(ExactDecimal.one.cValue, arb_decimal_zero(), ARB_ROUND_DOWN, &out) == ARB_ERR_DIVISION_BY_ZERO)
    #expect(div(ExactDecimal.one.cValue, ExactDecimal(3).cValue, ARB_ROUND_UNNECESSARY, &out) == ARB_ERR_REJECTED)
    #expect(mul(ExactDecimal.max.cValue, ExactDecimal(2).cValue, ARB_ROUND_DOWN, &out) == ARB_ERR_OVERFLOW)
    #expect(mul(price, qty, 99, &out) == ARB_ERR_INVALID_ARGUMENT)
    #expect(mul(price, qty, ARB_ROUND_DOWN, nil) == ARB_ERR_INVALID_ARGUMENT)
    #expect(roundPlaces(try d("-2.5").cValue, 0, ARB_ROUND_HALF_EVEN, &out) == ARB_OK)
    #expect(ExactDecimal(out).description == "-2")
    #expect(roundPlaces(try d("-2.5").cValue, 19, ARB_ROUND_HALF_EVEN, &out) == ARB_ERR_INVALID_ARGUMENT)
    #expect(roundStep(try d("61800.37").cValue, try d("0.05").cValue, ARB_ROUND_FLOOR, &out) == ARB_OK)
    #expect(ExactDecimal(out).description == "61800.35")
    #expect(roundStep(try d("61800.37").cValue, arb_decimal_zero(), ARB_ROUND_FLOOR, &out) == ARB_ERR_INVALID_ARGUMENT)
}
