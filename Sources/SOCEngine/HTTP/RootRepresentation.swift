import Foundation

/// Which answer `GET /` gives: the analyst dashboard for a browser, the service description
/// (JSON) for everything else.
///
/// Decided from the `Accept` header alone: HTML only when `text/html` is named explicitly and
/// preferred (a higher q-value) over what JSON would get (`application/json`, else
/// `application/*`, else `*/*`). A browser's `text/html,...,*/*;q=0.8` gets the page; curl's
/// `*/*`, no header, `application/json` or a tie get JSON, so API clients keep their answer.
///
/// ```swift
/// RootRepresentation(accept: "text/html,application/xhtml+xml,*/*;q=0.8")  // .html
/// RootRepresentation(accept: "*/*")                                        // .json
/// ```
enum RootRepresentation: Equatable {
    case json
    case html

    init(accept: String?) {
        guard let accept, !accept.isEmpty else {
            self = .json
            return
        }
        var html = 0.0, json = 0.0, anyApplication = 0.0, any = 0.0
        for range in accept.split(separator: ",") {
            let parts = range.split(separator: ";")
            guard let type = parts.first?.trimmingCharacters(in: .whitespaces).lowercased() else { continue }
            let quality = Self.quality(parts.dropFirst())
            switch type {
            case "text/html": html = max(html, quality)
            case "application/json": json = max(json, quality)
            case "application/*": anyApplication = max(anyApplication, quality)
            case "*/*": any = max(any, quality)
            default: continue
            }
        }
        let jsonQuality = json > 0 ? json : (anyApplication > 0 ? anyApplication : any)
        self = html > jsonQuality ? .html : .json
    }

    /// The `q` parameter of a media range (1 when absent, 0 when unreadable).
    private static func quality(_ parameters: ArraySlice<Substring>) -> Double {
        for parameter in parameters {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == "q" else { continue }
            guard let value = Double(pair[1]), (0...1).contains(value) else { return 0 }
            return value
        }
        return 1
    }
}
