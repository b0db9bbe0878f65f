import DNSData
import Testing

@Suite struct URLHostExtractorTests {
    @Test(arguments: [
        ("https://ns1.asdklgb.cf/update.zip", "ns1.asdklgb.cf"),
        ("HTTP://WWW.Example.COM/Path", "www.example.com"),
        ("http://user:pa:ss@evil.example:8080/x", "evil.example"),
        ("http://evil.example./x", "evil.example"),
        ("http://evil.example..", "evil.example"),
        ("http://[2001:DB8::1]:8080/a.exe", "2001:db8::1"),
        ("http://[::1]/", "::1"),
        ("http://192.0.2.7:81/bins/mips", "192.0.2.7"),
        ("evil.example/a.exe", "evil.example"),
        ("//evil.example/a", "evil.example"),
        ("http://evil.example?x=http://other.example/", "evil.example"),
        ("http://evil.example#frag", "evil.example"),
        ("http://evil.example\\path", "evil.example"),
        ("  https://padded.example/  ", "padded.example"),
        ("http://bücher.example/", "bücher.example"),
    ])
    func extractsTheHost(url: String, host: String) {
        #expect(URLHostExtractor.host(of: url) == host)
    }

    @Test(arguments: ["", "http://", "http:///path", "http://[2001:db8::1/x", "http://bad host/", "http://user@/x", "http://a<b>.example/"])
    func findsNoHost(url: String) {
        #expect(URLHostExtractor.host(of: url) == nil)
    }
}
