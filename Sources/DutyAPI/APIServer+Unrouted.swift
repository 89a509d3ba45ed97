import DutyCalendar
import DutyOperations
import HTTPTypes
import Hummingbird

extension APIServer {
    /// Every path the API serves and the methods it takes there: the registry's operations (a
    /// question is a GET, a change a POST), the routes written out, and `/metrics`.
    static let routeMethods: [String: Set<String>] = {
        var routes: [String: Set<String>] = ["/metrics": ["GET"]]
        let listed = Operations.all.map { ($0.route, $0.access) } + Operations.special.map { ($0.route, $0.access) }
        for (route, access) in listed {
            routes["/v1/" + route, default: []].insert(access == .read ? "GET" : "POST")
        }
        return routes
    }()

    /// The answer to a request no route took, as an error body dutyctl and scripts can read (the
    /// router's own is empty): 405 with `Allow` when the path is one of ours asked with another
    /// method, else 404.
    static func unrouted(_ request: Request) -> Response {
        let path = request.uri.path
        guard let methods = routeMethods[path]?.sorted() else {
            return failure(
                Failure(
                    .usage,
                    "no route \(request.method) \(shown(path)); the API's routes are under /v1/ and listed in openapi.yaml "
                        + "(a dutyctl older or newer than this dutyd asks for routes it does not have: `dutyctl --version`, `dutyctl status`)",
                    http: 404
                )
            )
        }
        var response = failure(
            Failure(
                .usage,
                "\(request.method) \(shown(path)): this route takes \(methods.joined(separator: " or ")) (a question is a GET, a change a POST with a JSON body)",
                http: 405
            )
        )
        response.headers[.allow] = methods.joined(separator: ", ")
        return response
    }
}
