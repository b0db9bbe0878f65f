import DNSData
import Foundation
import TestSupport
import Testing

@Suite struct ZeekReaderTests {
    static let header = """
        #separator \\x09
        #set_separator\t,
        #empty_field\t(empty)
        #unset_field\t-
        #path\tdns
        #open\t2020-08-20-13-00-00
        #fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\trtt\tquery\tqclass\tqclass_name\tqtype\tqtype_name\trcode\trcode_name\tAA\tTC\tRD\tRA\tZ\tanswers\tTTLs\trejected
        #types\ttime\tstring\taddr\tport\taddr\tport\tenum\tcount\tinterval\tstring\tcount\tstring\tcount\tstring\tcount\tstring\tbool\tbool\tbool\tbool\tcount\tvector[string]\tvector[interval]\tbool
        """

    static let tsv = header + "\n" + [
        "1597928451.186356\tCkKnVd2AG7xBOQrAo3\t192.168.4.76\t53638\t192.168.4.1\t53\tudp\t59193\t0.015226\twww.google.com\t1\tC_INTERNET\t1\tA\t0\tNOERROR\tF\tF\tT\tT\t0\t172.217.4.228\t293.000000\tF",
        "1597928452.512003\tC9Y6Zq3f1xW2nVb4s7\t192.168.4.76\t41227\t192.168.4.1\t53\tudp\t2871\t0.021554\tns1.asdklgb.cf\t1\tC_INTERNET\t1\tA\t0\tNOERROR\tF\tF\tT\tT\t0\t162.241.29.141\t14400.000000\tF",
        "1597928453.000000\tCmES5u32sYpV7JYN\t192.168.4.76\t5353\t192.168.4.1\t53\tudp\t4411\t0.030110\twww.microsoft.com\t1\tC_INTERNET\t1\tA\t0\tNOERROR\tF\tF\tT\tT\t0\twww.microsoft.com-c-3.edgekey.net,e13678.dscb.akamaiedge.net,23.40.73.65\t3600.000000,900.000000,20.000000\tF",
        "1597928454.250000\tCJ8bNo1ZTf2p4wNYVa\t192.168.4.20\t60001\t192.168.4.1\t53\tudp\t13\t-\t_ldap._tcp.dc._msdcs.corp.local\t1\tC_INTERNET\t33\tSRV\t3\tNXDOMAIN\tF\tF\tT\tT\t0\t-\t-\tF",
        "1597928455.900000\tCxq1Ya4LxG4gL2wUQh\t192.168.4.20\t60002\t192.168.4.1\t53\tudp\t14\t-\t-\t-\t-\t-\t-\t-\t-\tF\tF\tF\tF\t0\t-\t-\tF",
        "1597928456.100000\tCsf8Ux2bHGVtR1H0Ih\t192.168.4.76\t53639\t192.168.4.1\t53\tudp\t1500\t0.011000\tmail\\x2cweird.example\t1\tC_INTERNET\t16\tTXT\t0\tNOERROR\tF\tF\tT\tT\t0\tv=spf1 include:_spf.example\\x2ccom -all\t300.000000\tF",
        "1597928457.000000\tCvT7mJ3b6ZQ5q9cd1\t192.168.4.76\t53640\t192.168.4.1\t53\tudp\t1501\t0.012000\tcloudflare.com\t1\tC_INTERNET\t65\t-\t0\tNOERROR\tF\tF\tT\tT\t0\t(empty)\t(empty)\tF",
        "1597928458.000000\ttoo\tfew\tfields",
    ].joined(separator: "\n") + "\n#close\t2020-08-20-14-00-00\n"

    @Test func tabSeparatedLogMapsToRecords() throws {
        let dir = try TemporaryDirectory("zeek")
        let url = try ReaderFixtures.write(Self.tsv, named: "dns.log", in: dir)
        #expect(try FormatDetection.detect(fileAt: url) == .zeek)
        let contents = try DNSLogReader(fileAt: url).readAll()
        #expect(contents.records == [
            DNSRecord(rrname: "www.google.com", rrtype: "A", rdata: ["172.217.4.228"], timeFirst: 1_597_928_451, timeLast: 1_597_928_451, count: 1),
            DNSRecord(rrname: "ns1.asdklgb.cf", rrtype: "A", rdata: ["162.241.29.141"], timeFirst: 1_597_928_452, timeLast: 1_597_928_452, count: 1),
            DNSRecord(rrname: "www.microsoft.com", rrtype: "A",
                      rdata: ["www.microsoft.com-c-3.edgekey.net", "e13678.dscb.akamaiedge.net", "23.40.73.65"],
                      timeFirst: 1_597_928_453, timeLast: 1_597_928_453, count: 1),
            DNSRecord(rrname: "_ldap._tcp.dc._msdcs.corp.local", rrtype: "SRV", rdata: [], timeFirst: 1_597_928_454, timeLast: 1_597_928_454, count: 1),
            // \x2c is an escaped comma: inside a value, not a set separator.
            DNSRecord(rrname: "mail,weird.example", rrtype: "TXT", rdata: ["v=spf1 include:_spf.example,com -all"],
                      timeFirst: 1_597_928_456, timeLast: 1_597_928_456, count: 1),
            // qtype_name unset: the number's mnemonic.
            DNSRecord(rrname: "cloudflare.com", rrtype: "HTTPS", rdata: [], timeFirst: 1_597_928_457, timeLast: 1_597_928_457, count: 1),
        ])
        #expect(contents.recordLines == [9, 10, 11, 12, 14, 15])
        #expect(contents.quarantined.map(\.line) == [13, 16])
        #expect(contents.quarantined[0].reason.contains("no query"))
        #expect(contents.quarantined[1].reason.contains("expected 24 fields"))
        // Eight header lines and #close are skipped, not records.
        #expect(contents.counts.linesSkipped == 9)
        #expect(contents.counts.recordsRead == contents.records.count + contents.quarantined.count)
    }

    @Test func aZeekLogOfAnotherKindIsRefused() throws {
        let dir = try TemporaryDirectory("zeek")
        let conn = """
            #separator \\x09
            #path\tconn
            #fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice
            1597928451.186356\tCkKnVd2AG7xBOQrAo3\t192.168.4.76\t53638\t192.168.4.1\t53\tudp\tdns

            """
        let url = try ReaderFixtures.write(conn, named: "conn.log", in: dir)
        let db = try ReaderFixtures.lakehouse(in: dir)
        let error = #expect(throws: DNSLogError.self) { try BronzeLoader(database: db).load(fileAt: url) }
        guard case .wrongLayout(_, .zeek, let reason)? = error else {
            Issue.record("expected a wrong-layout error, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("conn"))
        #expect(error?.description.contains("conn.log") == true)
        #expect(try db.scalar("SELECT count(*) FROM loads")?.int64Value == 0)
    }

    @Test func jsonLogMapsToRecords() throws {
        let lines = [
            #"{"ts":1597928451.186356,"uid":"CkKnVd2AG7xBOQrAo3","id.orig_h":"192.168.4.76","id.orig_p":53638,"id.resp_h":"192.168.4.1","id.resp_p":53,"proto":"udp","trans_id":59193,"rtt":0.015226,"query":"www.google.com","qclass":1,"qclass_name":"C_INTERNET","qtype":1,"qtype_name":"A","rcode":0,"rcode_name":"NOERROR","AA":false,"TC":false,"RD":true,"RA":true,"Z":0,"answers":["172.217.4.228"],"TTLs":[293.0],"rejected":false}"#,
            #"{"ts":"2020-08-20T13:00:52.512003Z","uid":"C9Y6Zq3f1xW2nVb4s7","id.orig_h":"192.168.4.76","id.orig_p":41227,"id.resp_h":"192.168.4.1","id.resp_p":53,"proto":"udp","trans_id":2871,"query":"ns1.asdklgb.cf","qclass":1,"qclass_name":"C_INTERNET","qtype":1,"qtype_name":"A","rcode":0,"rcode_name":"NOERROR","AA":false,"TC":false,"RD":true,"RA":true,"Z":0,"answers":["162.241.29.141"],"TTLs":[14400.0],"rejected":false}"#,
            #"{"ts":1597928454.25,"uid":"CJ8bNo1ZTf2p4wNYVa","id.orig_h":"192.168.4.20","id.orig_p":60001,"id.resp_h":"192.168.4.1","id.resp_p":53,"proto":"udp","trans_id":13,"query":"_ldap._tcp.dc._msdcs.corp.local","qclass":1,"qclass_name":"C_INTERNET","qtype":33,"qtype_name":"SRV","rcode":3,"rcode_name":"NXDOMAIN","AA":false,"TC":false,"RD":true,"RA":true,"Z":0,"rejected":false}"#,
            #"{"ts":1597928455.9,"uid":"Cxq1Ya4LxG4gL2wUQh","id.orig_h":"192.168.4.20","id.orig_p":60002,"id.resp_h":"192.168.4.1","id.resp_p":53,"proto":"udp","trans_id":14,"AA":false,"TC":false,"RD":false,"RA":false,"Z":0,"rejected":false}"#,
            #"{"ts":1597928456,"uid":"CvT7mJ3b6ZQ5q9cd1","query":"cloudflare.com","qtype":65,"answers":"not an array"}"#,
        ]
        let dir = try TemporaryDirectory("zeek")
        let url = try ReaderFixtures.write(lines.joined(separator: "\n") + "\n", named: "dns.json", in: dir)
        #expect(try FormatDetection.detect(fileAt: url) == .zeekJSON)
        let contents = try DNSLogReader(fileAt: url).readAll()
        #expect(contents.records == [
            DNSRecord(rrname: "www.google.com", rrtype: "A", rdata: ["172.217.4.228"], timeFirst: 1_597_928_451, timeLast: 1_597_928_451, count: 1),
            DNSRecord(rrname: "ns1.asdklgb.cf", rrtype: "A", rdata: ["162.241.29.141"], timeFirst: 1_597_928_452, timeLast: 1_597_928_452, count: 1),
            DNSRecord(rrname: "_ldap._tcp.dc._msdcs.corp.local", rrtype: "SRV", rdata: [], timeFirst: 1_597_928_454, timeLast: 1_597_928_454, count: 1),
        ])
        #expect(contents.quarantined.map(\.line) == [4, 5])
        #expect(contents.quarantined[0].reason.contains("no query"))
        #expect(contents.quarantined[1].reason.contains("answers must be an array"))

        let db = try ReaderFixtures.lakehouse(in: dir)
        let summary = try BronzeLoader(database: db).load(fileAt: url)
        #expect(summary.format == .zeekJSON)
        #expect((summary.rowsLoaded, summary.rowsQuarantined) == (3, 2))
        let rows = try ReaderFixtures.bronzeRows(db, loadID: summary.loadID)
        #expect(rows.map { $0.string("rdata") } == [#"["172.217.4.228"]"#, #"["162.241.29.141"]"#, "[]"])
        #expect(rows.allSatisfy { $0["bailiwick"] == .null && $0.int64("count") == 1 })
    }
}
