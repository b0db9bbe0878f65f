import DNSData
import Foundation
import TestSupport
import Testing

@Suite struct SuricataReaderTests {
    static let prefix = #""flow_id":1255019398283291,"in_iface":"eth0","event_type":"dns","src_ip":"192.168.4.76","src_port":53638,"dest_ip":"192.168.4.1","dest_port":53,"proto":"UDP""#

    static let lines = [
        // Version 2 (Suricata 5-7): a query, a detailed answer, a grouped answer.
        #"{"timestamp":"2020-08-20T15:00:51.186356+0200",\#(prefix),"dns":{"type":"query","id":59193,"rrname":"www.suricata.io","rrtype":"A","tx_id":0,"opcode":0}}"#,
        #"{"timestamp":"2020-08-20T15:00:51.201874+0200",\#(prefix),"dns":{"version":2,"type":"answer","id":59193,"flags":"8180","qr":true,"rd":true,"ra":true,"opcode":0,"rrname":"www.suricata.io","rrtype":"A","rcode":"NOERROR","answers":[{"rrname":"www.suricata.io","rrtype":"CNAME","ttl":3597,"rdata":"suricata.io"},{"rrname":"suricata.io","rrtype":"A","ttl":597,"rdata":"35.212.0.44"}]}}"#,
        #"{"timestamp":"2017-11-29T10:27:18.148282+0100",\#(prefix),"dns":{"version":2,"type":"answer","id":45444,"flags":"8180","qr":true,"rd":true,"ra":true,"rcode":"NOERROR","rrname":"twitter.com","rrtype":"A","grouped":{"A":["104.244.42.65","104.244.42.129"]}}}"#,
        // Version 1: one event per answer.
        #"{"timestamp":"2017-11-29T10:27:18.148282+0100",\#(prefix),"dns":{"type":"answer","id":16000,"rcode":"NOERROR","rrname":"twitter.com","rrtype":"A","ttl":8,"rdata":"104.244.42.193"}}"#,
        // Events of other types are not DNS records.
        #"{"timestamp":"2020-08-20T15:00:52.000000+0200","flow_id":1255019398283291,"event_type":"flow","src_ip":"192.168.4.76","src_port":53638,"dest_ip":"192.168.4.1","dest_port":53,"proto":"UDP","app_proto":"dns","flow":{"pkts_toserver":1,"pkts_toclient":1,"bytes_toserver":74,"bytes_toclient":90,"start":"2020-08-20T15:00:51.186356+0200","end":"2020-08-20T15:00:51.201874+0200","age":0,"state":"established","reason":"timeout","alerted":false}}"#,
        // Version 3 (Suricata 8): a request, a response, an NXDOMAIN, a SOA answer.
        #"{"timestamp":"2025-06-01T08:15:00.000001Z",\#(prefix),"dns":{"version":3,"type":"request","tx_id":0,"id":0,"flags":"100","rd":true,"opcode":0,"rcode":"NOERROR","queries":[{"rrname":"ns1.asdklgb.cf","rrtype":"A"}]}}"#,
        #"{"timestamp":"2025-06-01T08:15:00.020000Z",\#(prefix),"dns":{"version":3,"type":"response","tx_id":1,"id":0,"flags":"8180","qr":true,"rd":true,"ra":true,"opcode":0,"rcode":"NOERROR","queries":[{"rrname":"ns1.asdklgb.cf","rrtype":"A"}],"answers":[{"rrname":"ns1.asdklgb.cf","rrtype":"A","ttl":14400,"rdata":"162.241.29.141"}]}}"#,
        #"{"timestamp":"2025-06-01T08:15:01.000000Z",\#(prefix),"dns":{"version":3,"type":"response","id":7,"flags":"8183","qr":true,"rcode":"NXDOMAIN","queries":[{"rrname":"www.googlee.com","rrtype":"A"}],"authorities":[{"rrname":"googlee.com","rrtype":"SOA","ttl":900,"soa":{"mname":"ns1.example","rname":"hostmaster.example","serial":1,"refresh":7200,"retry":3600,"expire":1209600,"minimum":3600}}]}}"#,
        #"{"timestamp":"2025-06-01T08:15:02.000000+00:00",\#(prefix),"dns":{"version":3,"type":"response","id":8,"rcode":"NOERROR","queries":[{"rrname":"example.com","rrtype":"SOA"}],"answers":[{"rrname":"example.com","rrtype":"SOA","ttl":3600,"soa":{"mname":"ns.icann.org","rname":"noc.dns.icann.org","serial":2020080302,"refresh":7200,"retry":3600,"expire":1209600,"minimum":3600}}]}}"#,
        // A dns event without its dns object, and one with a broken timestamp.
        #"{"timestamp":"2025-06-01T08:15:03.000000Z",\#(prefix)}"#,
        #"{"timestamp":"yesterday",\#(prefix),"dns":{"version":3,"type":"request","queries":[{"rrname":"x.example","rrtype":"A"}]}}"#,
    ]

    @Test func eveDNSEventsOfEveryVersionMapToRecords() throws {
        let dir = try TemporaryDirectory("suricata")
        let url = try ReaderFixtures.write(Self.lines.joined(separator: "\n") + "\n", named: "eve.json", in: dir)
        #expect(try FormatDetection.detect(fileAt: url) == .suricata)
        let contents = try DNSLogReader(fileAt: url).readAll()
        let t2020 = Int64(1_597_928_451)
        let t2017 = Int64(1_511_947_638)
        let t2025 = Int64(1_748_765_700)
        #expect(contents.records == [
            DNSRecord(rrname: "www.suricata.io", rrtype: "A", rdata: [], timeFirst: t2020, timeLast: t2020, count: 1),
            DNSRecord(rrname: "www.suricata.io", rrtype: "A", rdata: ["suricata.io", "35.212.0.44"], timeFirst: t2020, timeLast: t2020, count: 1),
            DNSRecord(rrname: "twitter.com", rrtype: "A", rdata: ["104.244.42.65", "104.244.42.129"], timeFirst: t2017, timeLast: t2017, count: 1),
            DNSRecord(rrname: "twitter.com", rrtype: "A", rdata: ["104.244.42.193"], timeFirst: t2017, timeLast: t2017, count: 1),
            DNSRecord(rrname: "ns1.asdklgb.cf", rrtype: "A", rdata: [], timeFirst: t2025, timeLast: t2025, count: 1),
            DNSRecord(rrname: "ns1.asdklgb.cf", rrtype: "A", rdata: ["162.241.29.141"], timeFirst: t2025, timeLast: t2025, count: 1),
            DNSRecord(rrname: "www.googlee.com", rrtype: "A", rdata: [], timeFirst: t2025 + 1, timeLast: t2025 + 1, count: 1),
            DNSRecord(rrname: "example.com", rrtype: "SOA", rdata: ["ns.icann.org noc.dns.icann.org 2020080302 7200 3600 1209600 3600"],
                      timeFirst: t2025 + 2, timeLast: t2025 + 2, count: 1),
        ])
        #expect(contents.recordLines == [1, 2, 3, 4, 6, 7, 8, 9])
        #expect(contents.counts.linesSkipped == 1)
        #expect(contents.quarantined.map(\.line) == [10, 11])
        #expect(contents.quarantined[0].reason.contains("without a dns object"))
        #expect(contents.quarantined[1].reason.contains("yesterday"))

        let db = try ReaderFixtures.lakehouse(in: dir)
        let summary = try BronzeLoader(database: db).load(fileAt: url)
        #expect(summary.format == .suricata)
        #expect((summary.rowsLoaded, summary.rowsQuarantined, summary.linesSkipped) == (8, 2, 1))
        #expect(try db.scalar("SELECT lines_skipped FROM loads WHERE load_id = ?", [summary.loadID])?.int64Value == 1)
    }
}
