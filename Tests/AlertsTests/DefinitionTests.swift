import Alerts
import Foundation
import TestSupport
import Testing

@Suite("Alert definitions")
struct DefinitionTests {
    @Test("The job's two default alerts load: the blog's IoC count and the IoC rows of the last day")
    func defaultDefinitions() throws {
        let alerts = try AlertFixture.defaultDefinitions()
        #expect(alerts.map(\.name) == ["dns_ioc_count", "dns_ioc_rows"])
        let count = try #require(alerts.first)
        #expect(count.query.contains("count(*) as ioc_count from dns_log_analytics where class = 'ioc'"))
        #expect(count.query.contains("datetime('now', 'start of day', '-1 day')"))
        #expect(count.condition.text == "ioc_count > 0")
        #expect(count.options.notifyOnOK)
        #expect(count.template.body.contains("There have been the following unexpected events on the last day"))
        let rows = alerts[1]
        #expect(rows.condition.text == "COUNT(domain) > 0")
        #expect(Set(rows.destinations.map(\.kind)) == [.stdout, .file, .email, .webhook])
        #expect(Set(count.destinations.map(\.kind)) == [.stdout, .file, .slack, .pagerduty])
    }

    @Test("A template with a syntax error is refused with its file, field, line and column")
    func templateSyntaxError() throws {
        let directory = try TemporaryDirectory()
        let file = directory.file("broken.json")
        try #"""
        {"name": "broken", "query": "select 1 as x", "condition": {"column": "x", "op": ">", "threshold": 0},
         "template": {"subject": "ok {{ALERT_NAME}}", "body": "line one\n{{#QUERY_RESULT_ROWS}}{{domain}}{{/QUERY_RESULT_COLS}}"}}
        """#.write(to: file, atomically: true, encoding: .utf8)
        let error = try #require(throws: AlertDefinitionErrors.self) {
            try AlertDefinitionLoader.load(locations: [file.path], baseDirectory: directory.url)
        }
        #expect(error.errors.count == 1)
        let problem = try #require(error.errors.first)
        #expect(problem.file == file.path)
        #expect(problem.field == "$.template.body")
        #expect(problem.problem.contains("sectionCloseNameIncorrect"))
        #expect(problem.problem.contains("line 2"))
    }

    @Test("Every problem is named by JSON path: unknown keys, a secret written inline, wrong types, bad operators")
    func problemsByPath() throws {
        let json = #"""
        {"alerts": [
          {"name": "a", "query": "select 1 as x", "condition": {"column": "x", "op": "=>", "threshold": 0}},
          {"name": "b", "query": "select 1 as x", "condition": {"column": "x", "op": ">", "threshold": true},
           "options": {"notify_on_ok": "yes", "retrigger_seconds": -5},
           "destinations": [{"type": "slack", "url": "https://hooks.slack.com/services/T0/B0/secret"}, {"type": "carrier-pigeon"}]},
          {"name": "a", "query": "select 2 as x", "condition": {"column": "x", "aggregation": "P99", "op": ">", "threshold": 1}}
        ]}
        """#
        let error = try #require(throws: AlertDefinitionErrors.self) {
            try AlertDefinitionLoader.parse(json: json, source: "inline.json")
        }
        let byField = Dictionary(grouping: error.errors, by: \.field)
        #expect(byField["$.alerts[0].condition.op"]?.first?.problem.contains("unknown operator '=>'") == true)
        #expect(byField["$.alerts[1].condition.threshold"]?.first?.problem.contains("a boolean") == true)
        #expect(byField["$.alerts[1].options.notify_on_ok"] != nil)
        #expect(byField["$.alerts[1].options.retrigger_seconds"] != nil)
        #expect(byField["$.alerts[1].destinations[0].url"]?.first?.problem.contains("environment variable") == true)
        #expect(byField["$.alerts[1].destinations[0].url_env"]?.first?.problem.contains("missing") == true)
        #expect(byField["$.alerts[1].destinations[1].type"]?.first?.problem.contains("carrier-pigeon") == true)
        #expect(byField["$.alerts[2].condition.aggregation"]?.first?.problem.contains("P99") == true)
        #expect(error.errors.allSatisfy { $0.file == "inline.json" })
    }

    @Test("Two definitions with one name are refused: the name keys the alert's state")
    func duplicateNames() throws {
        let json = #"""
        [{"name": "same", "query": "select 1 as x", "condition": {"column": "x", "op": ">", "threshold": 0}},
         {"name": "same", "query": "select 2 as x", "condition": {"column": "x", "op": ">", "threshold": 0}}]
        """#
        let error = try #require(throws: AlertDefinitionErrors.self) { try AlertDefinitionLoader.parse(json: json, source: "x.json") }
        #expect(error.description.contains("alert name 'same' is also defined"))
    }

    @Test("Invalid JSON and a missing file are refused with the file named")
    func unreadable() throws {
        let directory = try TemporaryDirectory()
        try "{\"name\": ".write(to: directory.file("bad.json"), atomically: true, encoding: .utf8)
        let error = try #require(throws: AlertDefinitionErrors.self) {
            try AlertDefinitionLoader.load(locations: [".", "missing.json"], baseDirectory: directory.url)
        }
        #expect(error.errors.count == 2)
        #expect(error.errors[0].file == "bad.json" && error.errors[0].problem.contains("not valid JSON"))
        #expect(error.errors[1].file == "missing.json" && error.errors[1].problem.contains("no such file"))
    }
}
