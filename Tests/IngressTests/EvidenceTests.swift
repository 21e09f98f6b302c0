import Foundation
import Ingress
import Testing
import Workflow

/// The results artifact's reports read into small facts: JUnit outcomes, Cobertura and lcov lines.
struct EvidenceTests {
    static let pytest = #"""
        <?xml version="1.0" encoding="utf-8"?>
        <testsuites><testsuite name="pytest" errors="1" failures="1" skipped="1" tests="5">
          <testcase classname="tests.test_pricing" name="test_discount" time="0.01"/>
          <testcase classname="tests.test_pricing" name="test_free_shipping" time="0.02">
            <failure message="assert 4999 &gt;= 5000">AssertionError</failure>
            <system-out>lots of output</system-out>
          </testcase>
          <testcase classname="tests.test_cart" name="test_total"><error message="boom"/></testcase>
          <testcase classname="tests.test_cart" name="test_slow"><skipped message="slow"/></testcase>
          <testsuite name="nested"><testcase name="standalone"/></testsuite>
        </testsuite></testsuites>
        """#

    @Test func `a JUnit report gives each test's outcome, nested suites and classless names included`() throws {
        let outcomes = try JUnitReport.parse(Data(Self.pytest.utf8))
        #expect(outcomes.passed == ["tests.test_pricing.test_discount", "standalone"])
        #expect(outcomes.failed == ["tests.test_pricing.test_free_shipping", "tests.test_cart.test_total"])
        #expect(!outcomes.truncated)
    }

    @Test func `names are cut to the bound and test cases past it are not read`() throws {
        var limits = EvidenceLimits()
        limits.maxTestCases = 2
        limits.maxNameLength = 12
        let outcomes = try JUnitReport.parse(Data(Self.pytest.utf8), limits: limits)
        #expect(outcomes.truncated)
        #expect(outcomes.passed.union(outcomes.failed) == ["tests.test_p"])
    }

    @Test func `thirty thousand test cases stop at twenty thousand without an error`() throws {
        let cases = (0..<30_000).map { #"<testcase classname="c" name="t\#($0)"/>"# }.joined()
        let outcomes = try JUnitReport.parse(Data("<testsuite>\(cases)</testsuite>".utf8))
        #expect(outcomes.truncated)
        #expect(outcomes.passed.count == 20_000)
    }

    @Test(arguments: [
        #"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><testsuite><testcase name="&lol2;"/></testsuite>"#,
        #"<?xml version="1.0"?><!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd">]><testsuite><testcase name="&x;"/></testsuite>"#,
    ])
    func `a report that declares entities is refused, never expanded`(xml: String) {
        #expect(throws: EvidenceError.entities) { try JUnitReport.parse(Data(xml.utf8)) }
        #expect(throws: EvidenceError.entities) { try CoberturaReport.parse(Data(xml.utf8)) }
    }

    @Test(arguments: ["not xml at all", "<testsuite><testcase name=\"a\"></testsuite>", ""])
    func `a file that is not XML is malformed`(text: String) {
        #expect(throws: EvidenceError.self) { try JUnitReport.parse(Data(text.utf8)) }
    }

    @Test func `a report over the file bound is refused before parsing`() {
        var limits = EvidenceLimits()
        limits.maxFileBytes = 100
        #expect(throws: EvidenceError.tooLarge(100)) { try JUnitReport.parse(Data(Self.pytest.utf8), limits: limits) }
        #expect(throws: EvidenceError.tooLarge(100)) {
            try LCOVReport.parse(Data(repeating: 65, count: 101), limits: limits)
        }
    }

    @Test func `outcomes of several files merge, a failure anywhere winning`() {
        let first = TestOutcomes(passed: ["a", "b"], failed: [])
        let second = TestOutcomes(passed: ["c"], failed: ["b"], truncated: true)
        let merged = first.merged(with: second)
        #expect(merged == TestOutcomes(passed: ["a", "c"], failed: ["b"], truncated: true))
    }

    static let cobertura = #"""
        <?xml version="1.0" ?>
        <coverage version="7.4" line-rate="0.5">
          <sources><source>/home/runner/work/shop/shop/src</source></sources>
          <packages><package name="shop"><classes>
            <class name="pricing.py" filename="shop/pricing.py">
              <lines><line number="1" hits="1"/><line number="2" hits="0"/><line number="7" hits="3"/></lines>
            </class>
          </classes></package></packages>
        </coverage>
        """#

    @Test func `a Cobertura report gives covered and known lines, relative to the repository`() throws {
        let coverage = try CoberturaReport.parse(Data(Self.cobertura.utf8)).relative(to: ["src/shop/pricing.py"])
        #expect(coverage.isCovered("src/shop/pricing.py", line: 1) == true)
        #expect(coverage.isCovered("src/shop/pricing.py", line: 2) == false)
        #expect(coverage.isCovered("src/shop/pricing.py", line: 3) == nil)
        #expect(coverage.isCovered("src/shop/other.py", line: 1) == nil)
    }

    static let lcov = """
        TN:
        SF:/home/runner/work/shop/shop/Sources/Checkout/Pricing.swift
        DA:20,4
        DA:22,0
        LF:2
        LH:1
        end_of_record
        SF:../../etc/passwd
        DA:1,1
        end_of_record
        SF:Sources/Checkout/Cart.swift
        DA:3,1
        end_of_record
        """

    @Test func `an lcov tracefile gives lines per file; absolute paths are stripped and escaping ones dropped`() throws
    {
        let repository: Set<String> = ["Sources/Checkout/Pricing.swift", "Sources/Checkout/Cart.swift", "etc/passwd"]
        let coverage = try LCOVReport.parse(Data(Self.lcov.utf8)).relative(to: repository)
        #expect(coverage.isCovered("Sources/Checkout/Pricing.swift", line: 20) == true)
        #expect(coverage.isCovered("Sources/Checkout/Pricing.swift", line: 22) == false)
        #expect(coverage.isCovered("Sources/Checkout/Cart.swift", line: 3) == true)
        #expect(coverage.known["etc/passwd"] == nil)
    }

    @Test(arguments: ["DA:1,1\n", "SF:a\nDA:x,1\n", "SF:a\nDA:1\n"])
    func `a malformed lcov line is refused with where it is`(text: String) {
        #expect(throws: EvidenceError.self) { try LCOVReport.parse(Data(text.utf8)) }
    }

    @Test func `an element name that is not UTF-8 is malformed, not a crash in the XML parser`() {
        // Found by fuzz-junit: FoundationXML traps on such a name.
        var xml = Array(#"<testsuite><testcase name="a"/><lXine/></testsuite>"#.utf8)
        xml[xml.firstIndex(of: UInt8(ascii: "X"))!] = 0xFF
        #expect(throws: EvidenceError.malformed("not UTF-8")) { try JUnitReport.parse(Data(xml)) }
        #expect(throws: EvidenceError.malformed("not UTF-8")) { try CoberturaReport.parse(Data(xml)) }
    }

    @Test(arguments: [
        #"<testsuite><?xm?><testcase name="a"/></testsuite>"#, #"<?xml version="1.0"?><?pi?><testsuite/>"#,
    ])
    func `a processing instruction past the XML declaration is malformed, not a crash in the XML parser`(xml: String) {
        // Found by fuzz-junit: FoundationXML reads a processing instruction's missing data as a C string.
        #expect(throws: EvidenceError.malformed("a processing instruction")) { try JUnitReport.parse(Data(xml.utf8)) }
    }
}
