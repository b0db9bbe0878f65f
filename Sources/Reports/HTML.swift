import Foundation
import Tracking

/// Building blocks of the report pages: escaping, the page skeleton with its inline style and
/// script, tables. Pages are self-contained HTML5: no network, no external script or font.
public enum HTML {
    /// Escapes text for element content and attribute values.
    public static func escape(_ text: String) -> String { HTMLText.escaped(text) }

    /// A whole page: `body` is trusted HTML built with the helpers here.
    static func document(title: String, subtitle: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="generator" content="runme">
        <title>\(escape(title))</title>
        <style>\(style)</style>
        </head>
        <body>
        <header><h1>\(escape(title))</h1><p class="sub">\(escape(subtitle))</p></header>
        <main>
        \(body)
        </main>
        <script>\(script)</script>
        </body>
        </html>

        """
    }

    /// A section with a heading and an id to link to.
    static func section(_ id: String, _ heading: String, _ content: String, note: String? = nil) -> String {
        var out = "<section id=\"\(escape(id))\"><h2>\(escape(heading))</h2>\n"
        if let note { out += "<p class=\"note\">\(escape(note))</p>\n" }
        return out + content + "</section>\n"
    }

    /// A figure around an SVG chart, with a caption that says what it shows.
    static func figure(_ svg: String, caption: String) -> String {
        "<figure>\(svg)<figcaption>\(escape(caption))</figcaption></figure>\n"
    }

    /// A paragraph of plain text.
    static func paragraph(_ text: String, className: String? = nil) -> String {
        "<p\(className.map { " class=\"\($0)\"" } ?? "")>\(escape(text))</p>\n"
    }

    /// One table cell: text shown, an optional sort key, classes, and whether it is a number.
    struct Cell {
        var html: String
        var sortKey: String?
        var classes: [String] = []
        var header = false

        /// A cell showing `text` (escaped).
        static func text(_ text: String, classes: [String] = []) -> Cell {
            Cell(html: escape(text), sortKey: nil, classes: classes)
        }

        /// A right-aligned number, sorted by value; NaN and nil show as "–" and sort last.
        static func number(_ value: Double?, _ shown: String, classes: [String] = []) -> Cell {
            let key = value.flatMap { $0.isFinite ? String($0) : nil } ?? ""
            return Cell(html: escape(shown), sortKey: key, classes: ["num"] + classes)
        }

        /// A cell of trusted HTML (a link, a marker).
        static func raw(_ html: String, sortKey: String? = nil, classes: [String] = []) -> Cell {
            Cell(html: html, sortKey: sortKey, classes: classes)
        }
    }

    /// A table; `sortable` adds header buttons that sort by a column (the inline script),
    /// `id` lets the search box find it. Header cells may carry classes (highlighting).
    static func table(id: String? = nil, headers: [(String, [String])], rows: [(cells: [Cell], classes: [String])],
                      sortable: Bool = false, caption: String? = nil) -> String {
        var out = "<div class=\"scroll\"><table"
        if let id { out += " id=\"\(escape(id))\"" }
        if sortable { out += " class=\"sortable\"" }
        out += ">"
        if let caption { out += "<caption>\(escape(caption))</caption>" }
        out += "<thead><tr>"
        for (index, header) in headers.enumerated() {
            let classes = header.1.isEmpty ? "" : " class=\"\(header.1.joined(separator: " "))\""
            if sortable {
                out += "<th scope=\"col\"\(classes) aria-sort=\"none\"><button type=\"button\" data-col=\"\(index)\">\(escape(header.0))<span class=\"arrow\" aria-hidden=\"true\"></span></button></th>"
            } else {
                out += "<th scope=\"col\"\(classes)>\(escape(header.0))</th>"
            }
        }
        out += "</tr></thead>\n<tbody>\n"
        for row in rows {
            out += row.classes.isEmpty ? "<tr>" : "<tr class=\"\(row.classes.joined(separator: " "))\">"
            for cell in row.cells {
                let tag = cell.header ? "th" : "td"
                out += "<\(tag)"
                if cell.header { out += " scope=\"row\"" }
                if !cell.classes.isEmpty { out += " class=\"\(cell.classes.joined(separator: " "))\"" }
                if let key = cell.sortKey { out += " data-sort=\"\(escape(key))\"" }
                out += ">\(cell.html)</\(tag)>"
            }
            out += "</tr>\n"
        }
        return out + "</tbody></table></div>\n"
    }

    /// A two-column key/value table.
    static func keyValues(_ pairs: [(String, String)], caption: String? = nil) -> String {
        table(headers: [("name", []), ("value", [])],
              rows: pairs.map { (cells: [Cell(html: escape($0.0), sortKey: nil, header: true), .text($0.1)], classes: []) },
              caption: caption)
    }

    /// A link whose target is relative to the page when possible, so a store can be moved whole.
    static func link(to target: URL, from page: URL?, text: String) -> String {
        "<a href=\"\(escape(relativeHref(to: target, from: page)))\">\(escape(text))</a>"
    }

    /// `target` relative to the directory of `page`, percent-encoded; absolute `file://` when
    /// the page's location is unknown.
    static func relativeHref(to target: URL, from page: URL?) -> String {
        let targetParts = target.standardizedFileURL.pathComponents
        guard let page else { return target.standardizedFileURL.absoluteString }
        let baseParts = page.standardizedFileURL.deletingLastPathComponent().pathComponents
        var common = 0
        while common < min(targetParts.count, baseParts.count), targetParts[common] == baseParts[common] { common += 1 }
        let ups = Array(repeating: "..", count: baseParts.count - common)
        let rest = targetParts[common...].map { $0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? $0 }
        return (ups + rest).joined(separator: "/")
    }

    /// Readable at 100 % zoom, usable from 1280 px down, printable: system fonts, 15 px text,
    /// tables that scroll sideways instead of squeezing, figures that never split across pages.
    static let style = """
    :root{color-scheme:light;--fg:#1b1b1b;--muted:#555;--line:#c8c8c8;--head:#eef1f5;--mark:#fff3b0;--best:#e3f4e1}
    *{box-sizing:border-box}
    body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--fg);background:#fff;margin:0 auto;padding:16px 24px;max-width:1400px}
    h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.25em;margin:1.4em 0 .5em;border-bottom:1px solid var(--line);padding-bottom:.2em}h3{font-size:1.05em;margin:1em 0 .4em}
    .sub,.note,figcaption{color:var(--muted)}figcaption{font-size:.92em;margin-top:.3em}
    figure{margin:.8em 0 1.4em;break-inside:avoid;page-break-inside:avoid}
    svg{display:block;max-width:100%;height:auto;font-family:inherit}
    .scroll{overflow-x:auto;max-width:100%}
    table{border-collapse:collapse;font-size:.93em;margin:.4em 0 1em}
    caption{text-align:left;font-weight:600;padding:.2em 0}
    th,td{border:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}
    thead th{background:var(--head);position:sticky;top:0}
    td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
    th.diff,td.diff{background:var(--mark);font-weight:600}
    th.diff::after{content:" \\2260";font-weight:700}
    tr.best td,tr.best th{background:var(--best);font-weight:600}
    th button{font:inherit;font-weight:600;background:none;border:0;padding:0;cursor:pointer;color:inherit;text-align:left}
    th[aria-sort=ascending] .arrow::after{content:" \\25B2"}th[aria-sort=descending] .arrow::after{content:" \\25BC"}
    .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:12px 24px}
    .tag{display:inline-block;border:1px solid var(--line);border-radius:3px;padding:0 4px;margin:1px;font-size:.88em}
    input[type=search]{font:inherit;padding:4px 8px;width:28em;max-width:100%}
    .state-SUCCESS{color:#1a6b2a}.state-FAILED,.state-TIMEDOUT,.state-INTERNAL_ERROR{color:#a4161a;font-weight:600}
    @media print{body{padding:0;max-width:none}thead th{position:static}.scroll{overflow:visible}input[type=search]{display:none}}
    """

    /// Sorts `table.sortable` by a clicked header (numbers by `data-sort`, text otherwise) and
    /// filters tables named by a search box's `data-filter`.
    static let script = """
    (function(){
    "use strict";
    function key(cell){if(!cell)return "";var s=cell.getAttribute("data-sort");return s!==null?s:cell.textContent.trim();}
    document.querySelectorAll("table.sortable").forEach(function(table){
      var heads=table.querySelectorAll("thead th");
      heads.forEach(function(th){
        var button=th.querySelector("button");if(!button)return;
        button.addEventListener("click",function(){
          var col=Number(button.getAttribute("data-col"));
          var dir=th.getAttribute("aria-sort")==="ascending"?"descending":"ascending";
          heads.forEach(function(h){h.setAttribute("aria-sort","none");});
          th.setAttribute("aria-sort",dir);
          var body=table.tBodies[0];var rows=Array.prototype.slice.call(body.rows);
          var numeric=rows.every(function(r){var k=key(r.cells[col]);return k===""||!isNaN(Number(k));});
          rows.sort(function(a,b){
            var x=key(a.cells[col]),y=key(b.cells[col]);
            if(x===""&&y!=="")return 1;if(y===""&&x!=="")return -1;
            var c=numeric?Number(x)-Number(y):x.localeCompare(y);
            return dir==="ascending"?c:-c;});
          rows.forEach(function(r){body.appendChild(r);});
        });
      });
    });
    document.querySelectorAll("input[data-filter]").forEach(function(input){
      var table=document.getElementById(input.getAttribute("data-filter"));
      var status=document.getElementById(input.getAttribute("data-status"));
      if(!table)return;
      function apply(){
        var q=input.value.trim().toLowerCase();var shown=0;var rows=table.tBodies[0].rows;
        for(var i=0;i<rows.length;i++){var hit=q===""||rows[i].textContent.toLowerCase().indexOf(q)>=0;rows[i].hidden=!hit;if(hit)shown++;}
        if(status)status.textContent=shown+" of "+rows.length+" domains shown";
      }
      input.addEventListener("input",apply);apply();
    });
    })();
    """
}
