// `[api]`: the socket, its groups, the limits of the API.

/// `[api]` (docs/design.md, API socket): where dutyd listens, the socket's group (queries), and the groups
/// that may change state besides root.
package struct APISettings: Sendable, Equatable {
    package static let defaultSocket = "/run/dutyd/api.sock"
    package var enabled = true
    package var socket = APISettings.defaultSocket
    /// The socket file's group; its members may ask questions.
    package var group = "dutyd"
    /// Members of these groups (and root) may change state.
    package var adminGroups = ["dutyd-admin"]
    /// How long a question may compute before it is given up with 503 (the time budget).
    package var questionTimeout: Double = 60
    package static let maximumQuestionTimeout: Double = 3600
    /// How long a connection may stay open with no request before it is closed (1 s to 1 h).
    package var idleTimeout: Double = 30

    package init() {}
}

extension Settings {
    static func parseAPI(
        _ table: TOMLTable,
        path: String,
        resolve: (String) -> String
    ) throws(ConfigError) -> APISettings {
        func fail(_ node: TOMLNode, _ message: String) -> ConfigError {
            ConfigError(path, node.position.line, node.position.column, message)
        }
        var a = APISettings()
        if let n = table["enabled"] {
            guard let b = n.bool else { throw fail(n, "api.enabled: expected true or false") }
            a.enabled = b
        }
        if let n = table["socket"] {
            guard let p = n.string, !p.isEmpty else {
                throw fail(n, "api.socket: expected a socket path in quotes, such as \"/run/dutyd/api.sock\"")
            }
            a.socket = resolve(p)
        }
        if let n = table["group"] {
            guard let g = n.string, !g.isEmpty else { throw fail(n, "api.group: expected a group name in quotes") }
            a.group = g
        }
        if let n = table["admin_groups"] {
            guard let list = n.array?.compactMap(\.string), list.count == n.array?.count else {
                throw fail(n, "api.admin_groups: expected a list of group names, such as [\"dutyd-admin\"]")
            }
            a.adminGroups = list
        }
        if let n = table["question_timeout"] {
            guard let v = Settings.seconds(n, maximum: APISettings.maximumQuestionTimeout), v >= 1 else {
                throw fail(
                    n,
                    "api.question_timeout: expected a time from 1s to \(Int(APISettings.maximumQuestionTimeout))s, such as \"60s\""
                )
            }
            a.questionTimeout = v
        }
        if let n = table["idle_timeout"] {
            guard let v = Settings.seconds(n, maximum: 3600), v >= 1 else {
                throw fail(n, "api.idle_timeout: expected a time from 1s to 3600s, such as \"30s\"")
            }
            a.idleTimeout = v
        }
        return a
    }
}
