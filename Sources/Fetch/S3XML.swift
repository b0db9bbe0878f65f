import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// One object of a ListObjectsV2 answer.
struct S3ObjectSummary: Sendable, Equatable {
    var key: String
    var size: Int64?
    var etag: String?
    var lastModified: Date?
}

/// One page of a ListObjectsV2 answer.
struct S3ListPage: Sendable, Equatable {
    var objects: [S3ObjectSummary]
    var isTruncated: Bool
    var nextContinuationToken: String?
}

/// Parses the small XML documents S3 answers with, through Foundation's XMLParser.
enum S3XML {
    /// Parses a ListBucketResult; nil if the body is not one.
    static func parseListPage(_ data: Data) -> S3ListPage? {
        let collector = ElementCollector(recordInside: "Contents")
        guard collector.parse(data), collector.rootName == "ListBucketResult" else { return nil }
        let objects = collector.records.compactMap { fields -> S3ObjectSummary? in
            guard let key = fields["Key"] else { return nil }
            return S3ObjectSummary(
                key: key,
                size: fields["Size"].flatMap { Int64($0) },
                etag: fields["ETag"],
                lastModified: fields["LastModified"].flatMap(parseTimestamp))
        }
        let truncated = collector.topLevel["IsTruncated"]?.lowercased() == "true"
        return S3ListPage(objects: objects, isTruncated: truncated, nextContinuationToken: collector.topLevel["NextContinuationToken"])
    }

    /// Parses an `<Error>` document; nil if the body is not one.
    static func parseError(_ data: Data) -> S3ErrorDetail? {
        guard !data.isEmpty else { return nil }
        let collector = ElementCollector(recordInside: nil)
        guard collector.parse(data), collector.rootName == "Error", let code = collector.topLevel["Code"], !code.isEmpty else {
            return nil
        }
        return S3ErrorDetail(
            code: code, message: collector.topLevel["Message"],
            region: collector.topLevel["Region"], endpoint: collector.topLevel["Endpoint"])
    }

    static func parseTimestamp(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    /// Collects the text of the root's direct children, and of the children of each repeated
    /// record element (`Contents`). S3 documents are shallow, so this is all that is needed.
    private final class ElementCollector: NSObject, XMLParserDelegate {
        let recordElement: String?
        var rootName: String?
        var topLevel: [String: String] = [:]
        var records: [[String: String]] = []
        private var path: [String] = []
        private var text = ""
        private var record: [String: String]?

        init(recordInside recordElement: String?) {
            self.recordElement = recordElement
        }

        func parse(_ data: Data) -> Bool {
            let parser = XMLParser(data: data)
            parser.delegate = self
            parser.shouldProcessNamespaces = true
            // S3 documents never need external entities; resolving them would be an XXE risk.
            parser.shouldResolveExternalEntities = false
            return parser.parse()
        }

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            if path.isEmpty { rootName = elementName }
            path.append(elementName)
            text = ""
            if path.count == 2, elementName == recordElement { record = [:] }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            text += string
        }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            text += String(decoding: CDATABlock, as: UTF8.self)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?) {
            if path.count == 2 {
                if elementName == recordElement, let finished = record {
                    records.append(finished)
                    record = nil
                } else {
                    topLevel[elementName] = text
                }
            } else if path.count == 3, record != nil {
                record?[elementName] = text
            }
            path.removeLast()
            text = ""
        }
    }
}
