import DutyCalendar
import DutyCore
import DutyStore
import DutyTestScoping
import DutyTestSupport
import Foundation
import Testing

/// TLS to the server: a cluster of its own on 127.0.0.1 with a certificate from a test CA.
@Suite("PostgreSQL over TLS", .ownThreads)
struct PostgresTLSTests {
    static func openssl(_ args: [String]) throws {
        let r = try runTool("/usr/bin/openssl", args)
        guard r.status == 0 else { throw ToolError("openssl \(args.first ?? ""): \(r.err)") }
    }

    @Test(
        "verify-full takes the server whose certificate the CA signed for its name; another CA or another name is refused, saying why"
    )
    func verifyFull() throws {
        let pg = try PostgresServer.own("tls")
        let dir = pg.folder
        // A CA, and the server's certificate for localhost signed by it; a second CA that signed nothing.
        try Self.openssl([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=dutyd test CA",
            "-keyout", dir + "/ca.key", "-out", dir + "/ca.pem",
        ])
        try Self.openssl([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=other CA",
            "-keyout", dir + "/other.key", "-out", dir + "/other.pem",
        ])
        try Self.openssl([
            "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
            "-keyout", dir + "/server.key", "-out", dir + "/server.csr",
        ])
        try "subjectAltName=DNS:localhost\n".write(toFile: dir + "/san.ext", atomically: true, encoding: .utf8)
        try Self.openssl([
            "x509", "-req", "-in", dir + "/server.csr", "-CA", dir + "/ca.pem", "-CAkey", dir + "/ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", dir + "/san.ext", "-out", dir + "/server.pem",
        ])
        for f in ["server.key", "server.pem"] { pg.own(file: dir + "/" + f) }
        let port = Int.random(in: 20_000...60_000)
        try pg.restart(with: [
            "listen_addresses=127.0.0.1", "port=\(port)", "ssl=on", "ssl_cert_file=\(dir)/server.pem",
            "ssl_key_file=\(dir)/server.key",
        ])
        let state = try pg.newDatabase()
        // A TLS handshake in a debug build, beside the whole suite on two cores, once took longer than
        // the default 10 s to connect: what is tested here is the certificate, not the time.
        let database = PostgresServer.database(of: state)
        let good =
            "host=localhost port=\(port) dbname=\(database) user=postgres connect_timeout=60 sslmode=verify-full sslrootcert=\(dir)/ca.pem"
        let store = try DutyStore.open(good)
        try store.addUnit(.init(id: "gd", name: "广东", kind: "committee", addedOn: .init(iso: "2026-01-01")!))
        #expect(try store.units().map(\.id) == ["gd"])
        // The connection is encrypted: the server says so for its own session.
        #expect(
            try pg.sql("SELECT count(*) FROM pg_stat_ssl WHERE ssl", database: database).trimmingCharacters(
                in: .whitespacesAndNewlines
            ) != "0"
        )
        for (bad, why) in [
            (
                "host=localhost port=\(port) dbname=\(database) user=postgres connect_timeout=60 sslmode=verify-full sslrootcert=\(dir)/other.pem",
                "another CA"
            ),
            (
                "host=127.0.0.1 port=\(port) dbname=\(database) user=postgres connect_timeout=60 sslmode=verify-full sslrootcert=\(dir)/ca.pem",
                "another name"
            ),
        ] {
            do {
                _ = try DutyStore.open(bad)
                Issue.record("\(why): the connection was made")
            } catch {
                #expect(error.message.contains("cannot connect to PostgreSQL"), "\(why): \(error.message)")
                #expect(
                    error.message.contains("TLS") || error.message.contains("certificate")
                        || error.message.contains("handshake"),
                    "\(why): \(error.message)"
                )
            }
        }
    }
}
