import ArbSDK
import Glibc
import ArbModel
import Testing
@testable import ArbPlugins

/// A declaration built the way the loader builds one: from a C `arb_param_decl_t` whose strings
/// live only for the call (the declaration copies them).
private func declare(_ key: String, _ type: Int32, required: Bool = false, default defaultText: String? = nil,
                     min: String? = nil, max: String? = nil, summary: String? = nil) -> ParameterDeclaration {
    let cKey = strdup(key)
    let cDefault = defaultText.map { strdup($0) } ?? nil
    let cSummary = summary.map { strdup($0) } ?? nil
    defer { free(cKey); free(cDefault); free(cSummary) }
    var c = arb_param_decl_t()
    c.struct_size = structSize(arb_param_decl_t.self)
    c.key = UnsafePointer(cKey)
    c.type = type
    c.required = required ? 1 : 0
    c.default_text = UnsafePointer(cDefault)
    if let min {
        c.has_min = 1
        c.min = try! ExactDecimal(parsing: min).cValue
    }
    if let max {
        c.has_max = 1
        c.max = try! ExactDecimal(parsing: max).cValue
    }
    c.description = UnsafePointer(cSummary)
    guard let declaration = ParameterDeclaration(c) else { fatalError("fixture declaration \(key) refused") }
    return declaration
}

private func validate(_ parameters: [Parameters.Entry], _ declarations: [ParameterDeclaration]?)
    -> Result<TypedParameters, ParameterErrors>
{
    ParameterValidator.validate(Parameters(parameters), against: declarations)
}

private func entry(_ key: String, _ text: String, at location: String = "") -> Parameters.Entry {
    Parameters.Entry(key: key, text: text, location: location)
}

extension Result {
    fileprivate var value: Success? { if case .success(let v) = self { v } else { nil } }
    fileprivate var failure: Failure? { if case .failure(let e) = self { e } else { nil } }
}

@Suite("ParameterValidator")
struct ParameterValidatorTests {
    // MARK: Declarations from C

    @Test func declarationCopiesEveryCField() throws {
        let d = declare("entry_threshold", ARB_PARAM_DECIMAL, required: true, default: "2.0", min: "0.5",
                        max: "10", summary: "spread in bps")
        #expect(d.key == "entry_threshold")
        #expect(d.type == .decimal)
        #expect(d.required)
        #expect(d.defaultText == "2.0")
        #expect(d.minimum == (try ExactDecimal(parsing: "0.5")))
        #expect(d.maximum == ExactDecimal(10))
        #expect(d.summary == "spread in bps")

        let bare = declare("x", ARB_PARAM_STRING)
        #expect(!bare.required && bare.defaultText == nil && bare.minimum == nil && bare.maximum == nil)
        #expect(bare.summary == "")
    }

    @Test func declarationWithoutAKeyOrWithAnUnknownTypeIsRefused() {
        var c = arb_param_decl_t()
        c.type = ARB_PARAM_INT
        #expect(ParameterDeclaration(c) == nil, "no key")
        let key = strdup("k")
        defer { free(key) }
        c.key = UnsafePointer(key)
        #expect(ParameterDeclaration(c) != nil)
        for bad: Int32 in [0, 6, -1] {
            c.type = bad
            #expect(ParameterDeclaration(c) == nil, "type \(bad)")
        }
    }

    // MARK: Typed values

    @Test func everyTypeParsesToItsTypedValue() throws {
        let declarations = [
            declare("enabled", ARB_PARAM_BOOL), declare("disabled", ARB_PARAM_BOOL),
            declare("levels", ARB_PARAM_INT), declare("offset", ARB_PARAM_INT),
            declare("threshold", ARB_PARAM_DECIMAL), declare("venue", ARB_PARAM_STRING),
            declare("cooldown", ARB_PARAM_DURATION),
        ]
        let result = validate([entry("enabled", "true"), entry("disabled", "false"), entry("levels", "42"),
                               entry("offset", "-7"), entry("threshold", "61800.3"), entry("venue", "binance"),
                               entry("cooldown", "250ms")], declarations)
        let typed = try #require(result.value, "\(String(describing: result.failure))")
        #expect(typed["enabled"] == .bool(true))
        #expect(typed["disabled"] == .bool(false))
        #expect(typed["levels"] == .int(42))
        #expect(typed["offset"] == .int(-7))
        #expect(typed["threshold"] == .decimal(try ExactDecimal(parsing: "61800.3")))
        #expect(typed["venue"] == .string("binance"))
        #expect(typed["cooldown"] == .duration(250_000_000))
        // In declaration order, with the configured text.
        #expect(typed.values.map(\.key) == ["enabled", "disabled", "levels", "offset", "threshold", "venue", "cooldown"])
        #expect(typed.values.map(\.text) == ["true", "false", "42", "-7", "61800.3", "binance", "250ms"])
    }

    @Test(arguments: [
        ("250ms", Int64(250_000_000)), ("5s", 5_000_000_000), ("1m", 60_000_000_000),
        ("8h", 28_800_000_000_000), ("1d", 86_400_000_000_000), ("100us", 100_000), ("10ns", 10), ("0s", 0),
    ])
    func durationsParseToNanoseconds(_ text: String, _ nanoseconds: Int64) throws {
        let result = validate([entry("every", text)], [declare("every", ARB_PARAM_DURATION)])
        #expect(result.value?["every"] == .duration(nanoseconds))
    }

    @Test(arguments: ["5", "5x", "-5s", "1.5s", "ms", "", "5 s", "99999999999d"])
    func malformedDurationsAreRejected(_ text: String) throws {
        let result = validate([entry("every", text)], [declare("every", ARB_PARAM_DURATION)])
        let errors = try #require(result.failure).errors
        #expect(errors == [ParameterError(keyPath: "every",
                                          message: "expected a duration such as 250ms, 5s, 1m, 8h, found '\(text)'")])
    }

    // MARK: Defaults and required

    @Test func defaultsApplyToMissingKeysAndConfiguredValuesWin() throws {
        let declarations = [declare("levels", ARB_PARAM_INT, default: "5"),
                            declare("interval", ARB_PARAM_DURATION, default: "8h"),
                            declare("venue", ARB_PARAM_STRING, default: "okx")]
        let typed = try #require(validate([entry("venue", "bybit")], declarations).value)
        #expect(typed["levels"] == .int(5))
        #expect(typed["interval"] == .duration(28_800_000_000_000))
        #expect(typed["venue"] == .string("bybit"))
        #expect(typed.values.map(\.text) == ["5", "8h", "bybit"])
    }

    @Test func optionalKeyWithoutDefaultIsSimplyAbsent() throws {
        let typed = try #require(validate([], [declare("note", ARB_PARAM_STRING)]).value)
        #expect(typed.values.isEmpty)
        #expect(typed["note"] == nil)
    }

    @Test func missingRequiredKeyIsReportedWithItsTypeAndSummary() throws {
        let declarations = [declare("entry_threshold", ARB_PARAM_DECIMAL, required: true, summary: "spread in bps")]
        let errors = try #require(validate([], declarations).failure).errors
        #expect(errors == [ParameterError(keyPath: "entry_threshold", message: "is required (decimal: spread in bps)")])
    }

    @Test func requiredKeyWithADefaultIsSatisfiedByTheDefault() throws {
        let declarations = [declare("size", ARB_PARAM_DECIMAL, required: true, default: "0.01")]
        let typed = try #require(validate([], declarations).value)
        #expect(typed["size"] == .decimal(try ExactDecimal(parsing: "0.01")))
    }

    // MARK: Unknown keys

    @Test func unknownKeyWithAOneLetterTypoSuggestsTheKnownKey() throws {
        let declarations = [declare("entry_threshold", ARB_PARAM_DECIMAL, default: "1"),
                            declare("exit_threshold", ARB_PARAM_DECIMAL, default: "0")]
        let errors = try #require(validate([entry("entry_treshold", "2", at: "strategies.yaml:4:7")], declarations)
            .failure).errors
        #expect(errors == [ParameterError(
            keyPath: "entry_treshold",
            message: "is not a parameter of this plugin; did you mean 'entry_threshold'? (known: entry_threshold, exit_threshold)",
            location: "strategies.yaml:4:7")])
        #expect(errors.first?.description
                == "strategies.yaml:4:7: entry_treshold: is not a parameter of this plugin; did you mean 'entry_threshold'? (known: entry_threshold, exit_threshold)")
    }

    @Test func shortKeyWithASubstitutedLetterSuggestsTheKnownKey() throws {
        let errors = try #require(validate([entry("qtx", "1")], [declare("qty", ARB_PARAM_INT, default: "1")]).failure).errors
        #expect(errors.count == 1)
        #expect(errors.first?.message.contains("did you mean 'qty'?") == true)
    }

    @Test func unrelatedUnknownKeyGetsNoSuggestion() throws {
        let declarations = [declare("entry_threshold", ARB_PARAM_DECIMAL, default: "1"),
                            declare("venue", ARB_PARAM_STRING, default: "okx")]
        let errors = try #require(validate([entry("max_leverage", "3")], declarations).failure).errors
        #expect(errors == [ParameterError(keyPath: "max_leverage",
                                          message: "is not a parameter of this plugin (known: entry_threshold, venue)")])
    }

    @Test func editDistanceCountsSingleByteEdits() {
        #expect(ParameterValidator.editDistance("", "abc") == 3)
        #expect(ParameterValidator.editDistance("abc", "") == 3)
        #expect(ParameterValidator.editDistance("abc", "abc") == 0)
        #expect(ParameterValidator.editDistance("kitten", "sitting") == 3)
        #expect(ParameterValidator.editDistance("entry_treshold", "entry_threshold") == 1)
        #expect(ParameterValidator.closest("zzzzzz", among: ["venue", "size"]) == nil)
        #expect(ParameterValidator.closest("sise", among: ["venue", "size"]) == "size")
    }

    // MARK: Ranges

    @Test func integerOutsideItsRangeNamesTheValueAndTheBound() throws {
        let declarations = [declare("levels", ARB_PARAM_INT, min: "1", max: "20")]
        let low = try #require(validate([entry("levels", "0")], declarations).failure).errors
        #expect(low == [ParameterError(keyPath: "levels", message: "0 is below the minimum 1")])
        let high = try #require(validate([entry("levels", "21")], declarations).failure).errors
        #expect(high == [ParameterError(keyPath: "levels", message: "21 is above the maximum 20")])
        // Both bounds are inclusive.
        #expect(validate([entry("levels", "1")], declarations).value?["levels"] == .int(1))
        #expect(validate([entry("levels", "20")], declarations).value?["levels"] == .int(20))
    }

    @Test func decimalOutsideItsRangeNamesTheValueAndTheBound() throws {
        let declarations = [declare("fee", ARB_PARAM_DECIMAL, min: "0.0001", max: "0.01")]
        let low = try #require(validate([entry("fee", "0.00005")], declarations).failure).errors
        #expect(low.map(\.message) == ["0.00005 is below the minimum 0.0001"])
        let high = try #require(validate([entry("fee", "0.0100000000000001")], declarations).failure).errors
        #expect(high.map(\.message) == ["0.0100000000000001 is above the maximum 0.01"])
        #expect(validate([entry("fee", "0.01")], declarations).value != nil)
    }

    @Test func durationBoundsAreInSeconds() throws {
        let declarations = [declare("cooldown", ARB_PARAM_DURATION, min: "0.5", max: "86400")]
        let low = try #require(validate([entry("cooldown", "499ms")], declarations).failure).errors
        #expect(low.map(\.message) == ["499ms is below the minimum 0.5"])
        let high = try #require(validate([entry("cooldown", "2d")], declarations).failure).errors
        #expect(high.map(\.message) == ["2d is above the maximum 86400"])
        #expect(validate([entry("cooldown", "500ms")], declarations).value?["cooldown"] == .duration(500_000_000))
        #expect(validate([entry("cooldown", "1d")], declarations).value?["cooldown"] == .duration(86_400_000_000_000))
    }

    // MARK: Wrong types

    @Test(arguments: [
        (ARB_PARAM_BOOL, "yes", "expected true or false, found 'yes'"),
        (ARB_PARAM_BOOL, "True", "expected true or false, found 'True'"),
        (ARB_PARAM_INT, "1.5", "expected an integer, found '1.5'"),
        (ARB_PARAM_INT, "ten", "expected an integer, found 'ten'"),
        (ARB_PARAM_DECIMAL, "1,5", "expected a decimal number, found '1,5'"),
        (ARB_PARAM_DURATION, "soon", "expected a duration such as 250ms, 5s, 1m, 8h, found 'soon'"),
    ])
    func wrongTypeIsReportedWithWhatWasExpectedAndFound(_ type: Int32, _ text: String, _ message: String) throws {
        let errors = try #require(validate([entry("p", text, at: "s.yaml:1:2")], [declare("p", type)]).failure).errors
        #expect(errors == [ParameterError(keyPath: "p", message: message, location: "s.yaml:1:2")])
    }

    @Test func invalidDefaultIsReportedWithoutALocation() throws {
        let errors = try #require(validate([], [declare("levels", ARB_PARAM_INT, default: "many")]).failure).errors
        #expect(errors == [ParameterError(keyPath: "levels", message: "expected an integer, found 'many'", location: "")])
    }

    // MARK: Duplicates and several problems

    @Test func keyGivenTwiceIsReportedAtTheSecondOccurrence() throws {
        let errors = try #require(validate([entry("venue", "okx", at: "f:1:1"), entry("venue", "bybit", at: "f:2:1")],
                                           [declare("venue", ARB_PARAM_STRING)]).failure).errors
        #expect(errors == [ParameterError(keyPath: "venue", message: "is given twice", location: "f:2:1")])
    }

    @Test func everyProblemIsReportedNotOnlyTheFirst() throws {
        let declarations = [
            declare("entry_threshold", ARB_PARAM_DECIMAL, required: true, summary: "bps"),
            declare("levels", ARB_PARAM_INT, min: "1", max: "20"),
            declare("enabled", ARB_PARAM_BOOL),
            declare("cooldown", ARB_PARAM_DURATION),
            declare("venue", ARB_PARAM_STRING),
        ]
        let result = validate([entry("levels", "50"), entry("enabled", "maybe"), entry("cooldown", "5x"),
                               entry("venu", "okx"), entry("venue", "okx"), entry("venue", "bybit")], declarations)
        let errors = try #require(result.failure).errors
        #expect(errors.map(\.keyPath) == ["venu", "venue", "entry_threshold", "levels", "enabled", "cooldown"])
        #expect(errors.map(\.message) == [
            "is not a parameter of this plugin; did you mean 'venue'? (known: entry_threshold, levels, enabled, cooldown, venue)",
            "is given twice",
            "is required (decimal: bps)",
            "50 is above the maximum 20",
            "expected true or false, found 'maybe'",
            "expected a duration such as 250ms, 5s, 1m, 8h, found '5x'",
        ])
        #expect(result.failure?.description.split(separator: "\n").count == 6)
    }

    // MARK: No declarations

    @Test func withoutDeclarationsEveryValuePassesThroughAsAString() throws {
        let typed = try #require(validate([entry("threshold", "2.5"), entry("enabled", "true"), entry("any.thing", "8h")],
                                          nil).value)
        #expect(typed.values.map(\.key) == ["threshold", "enabled", "any.thing"])
        #expect(typed.values.map(\.text) == ["2.5", "true", "8h"])
        #expect(typed.values.map(\.value) == [.string("2.5"), .string("true"), .string("8h")])
    }

    @Test func emptyDeclarationsRejectEveryKey() throws {
        let errors = try #require(validate([entry("x", "1")], []).failure).errors
        #expect(errors.map(\.keyPath) == ["x"])
        #expect(errors.first?.message.hasPrefix("is not a parameter of this plugin") == true)
        #expect(errors.first?.message.contains("did you mean") == false)
    }
}
