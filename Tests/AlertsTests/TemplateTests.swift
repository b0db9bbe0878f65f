import Alerts
import Foundation
import Testing

@Suite("Alert templates")
struct TemplateTests {
    /// A notification whose data holds markup and quotes, as a hostile log line could.
    func notification(template: String = #"{"subject": "{{ALERT_NAME}} is {{ALERT_STATUS}}", "body": "{{#QUERY_RESULT_ROWS}}- {{domain}} ({{score}}){{#threat}} {{threat}}{{/threat}}\n{{/QUERY_RESULT_ROWS}}cols: {{#QUERY_RESULT_COLS}}{{.}} {{/QUERY_RESULT_COLS}}\n{{ALERT_COLUMN}} {{ALERT_CONDITION}} {{ALERT_THRESHOLD}}: {{QUERY_RESULT_VALUE}} [{{QUERY_NAME}}]"}"#) throws -> AlertNotification {
        let json = #"{"name": "iocs", "query_name": "IoC rows", "query": "select 1", "condition": {"column": "domain", "aggregation": "COUNT", "op": ">", "threshold": 0}, "template": \#(template)}"#
        let alert = try #require(try AlertDefinitionLoader.parse(json: json, source: "t").first)
        let result = QueryResult(columns: ["domain", "score", "threat"], rows: [
            [.text("ns1.asdklgb.cf."), .number(0.9871), .text("malware_download")],
            [.text("<script>alert(\"x\")</script>.evil.com"), .number(0.5), .null],
        ])
        return AlertNotification(alert: alert, state: "TRIGGERED", previousState: "OK", value: .number(2), reason: "COUNT(domain) = 2",
                                 result: result, evaluatedAt: Date(timeIntervalSince1970: 1_700_000_000), jobRunID: 3)
    }

    @Test("The Databricks SQL variables render, rows and columns iterate, NULL is false in a section")
    func variables() throws {
        let n = try notification()
        #expect(NotificationRenderer.subject(n) == "iocs is TRIGGERED")
        let body = NotificationRenderer.body(n)
        #expect(body.contains("- ns1.asdklgb.cf. (0.9871) malware_download\n"))
        #expect(body.contains("- <script>alert(\"x\")</script>.evil.com (0.5)\n"))
        #expect(body.contains("cols: domain score threat \n"))
        #expect(body.hasSuffix("COUNT(domain) > 0: 2 [IoC rows]"))
    }

    @Test("HTML escapes values from the data; QUERY_RESULT_TABLE is an HTML table with escaped cells")
    func htmlEscaping() throws {
        let n = try notification(template: #"{"body": "x", "html_body": "<p>{{#QUERY_RESULT_ROWS}}<b>{{domain}}</b>{{/QUERY_RESULT_ROWS}}</p>{{QUERY_RESULT_TABLE}}<hr>{{{QUERY_RESULT_TABLE}}}"}"#)
        let html = NotificationRenderer.htmlBody(n)
        #expect(!html.contains("<script>"))
        #expect(html.contains("<b>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;.evil.com</b>"))
        #expect(html.contains("<td>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;.evil.com</td>"))
        #expect(html.contains("<th>domain</th><th>score</th><th>threat</th>"))
        // Written with two or three braces, the table is inserted once each, as HTML.
        #expect(html.components(separatedBy: "<table").count == 3)
        #expect(!html.contains("{"))
        // The default HTML part: the text body, escaped, line breaks kept.
        let plain = NotificationRenderer.htmlBody(try notification())
        #expect(plain.contains("- &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;.evil.com (0.5)<br>"))
        #expect(!plain.contains("<script>"))
    }

    @Test("The default template is the blog's, with a text table of the rows")
    func defaultTemplate() throws {
        let n = try notification(template: "{}")
        let body = NotificationRenderer.body(n)
        #expect(NotificationRenderer.subject(n) == #"Alert "iocs" changed status to TRIGGERED"#)
        #expect(body.contains("There have been the following unexpected events on the last day:"))
        #expect(body.contains("domain"))
        #expect(body.contains("ns1.asdklgb.cf.".padding(toLength: 36, withPad: " ", startingAt: 0) + " | 0.9871 | malware_download"))
    }
}
