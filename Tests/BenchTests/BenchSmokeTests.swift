import Testing

@Suite struct BenchSmokeTests {
    @Test func placeholder() {}
}
