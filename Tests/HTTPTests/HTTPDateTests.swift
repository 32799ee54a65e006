import HTTP
import Testing

@Suite struct HTTPDateTests {
    @Test(arguments: [
        (784_111_777, "Sun, 06 Nov 1994 08:49:37 GMT"),
        (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
        (951_782_400, "Tue, 29 Feb 2000 00:00:00 GMT"),
        (1_767_225_599, "Wed, 31 Dec 2025 23:59:59 GMT"),
        (253_402_300_799, "Fri, 31 Dec 9999 23:59:59 GMT"),
    ])
    func formats(seconds: Int, expected: String) {
        #expect(HTTPDate.format(secondsSince1970: seconds) == expected)
    }

    @Test func nowHasTheFixedLength() {
        let now = HTTPDate.now()
        #expect(now.utf8.count == 29)
        #expect(now.hasSuffix(" GMT"))
    }

    @Test func unrepresentableTimeFallsBack() {
        #expect(HTTPDate.format(secondsSince1970: .max) == "Thu, 01 Jan 1970 00:00:00 GMT")
    }
}
