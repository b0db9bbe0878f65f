import ArgumentParser
import Foundation
import Reports

/// `runme dashboard`: the analysts' IoC dashboard.
struct DashboardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "The IoC dashboard: IoC counts per day and the last day's IoC domains, in the terminal or as a page.",
        discussion: """
            Reads the store's lakehouse: dns_log_analytics (records classed ioc per day, by the \
            processing timestamp, UTC) and dns_ioc_latest (the IoC domains of the latest day, \
            with threat feed tags, typosquat brand and fuzzer, country and score). --html FILE \
            writes a self-contained page with a search box that filters the domains.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions

    @Option(name: .long, help: ArgumentHelp("Write the HTML dashboard to this file.", valueName: "file"))
    var html: String?

    func run() throws {
        let dashboard = try Dashboard.load(storeDirectory: storeOptions.directory)
        if let html {
            let url = URL(fileURLWithPath: html).standardizedFileURL
            try ReportFile.write(DashboardPage.render(dashboard), to: url)
            if !output.json { print("Wrote \(url.path)") }
        }
        if output.json {
            try JSONOutput.print(dashboard)
            return
        }
        guard html == nil else { return }
        var days = TextTable(["day", "records scored", "ioc records", "ioc registered domains"])
        for day in dashboard.days {
            days.add([day.day, ReportNumber.count(day.rows), ReportNumber.count(day.iocRows), ReportNumber.count(day.iocDomains)])
        }
        print("IoCs per day (UTC)")
        print(dashboard.days.isEmpty ? "  none: dns_log_analytics is empty\n" : days.render(), terminator: "")
        guard let lastDay = dashboard.lastDay else {
            print("\nNo IoC domains yet (dns_ioc_latest is empty).")
            return
        }
        print("\nIoC domains of \(lastDay)")
        var table = TextTable(["domain", "score", "reason", "threat", "tags", "brand", "fuzzer", "country"])
        for ioc in dashboard.iocs {
            table.add([ioc.domain, String(format: "%.4f", ioc.score), ioc.reason, ioc.threat ?? "-", ioc.tags ?? "-", ioc.brand ?? "-",
                       ioc.fuzzer ?? "-", ioc.country ?? "-"])
        }
        print(table.render(), terminator: "")
    }
}
