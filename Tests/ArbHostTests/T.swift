import Testing
@Test func b() { #expect(1 == 1) }
