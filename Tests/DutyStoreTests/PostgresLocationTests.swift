import DutyCalendar
import DutyCore
import DutyStore
import DutyTestScoping
import DutyTestSupport
import Foundation
import Testing

@Suite("PostgreSQL connection strings", .ownThreads)
struct PostgresLocationTests {
    @Test(
        "a URL: several hosts with their ports, an escaped password, TLS, read-write only; shown without the password"
    )
    func url() throws {
        let l = try #require(
            try PostgresLocation(
                "postgresql://dutyd:p%40ss@db1.example.org:5433,db2.example.org/duty?sslmode=verify-full&target_session_attrs=read-write&connect_timeout=3"
            )
        )
        #expect(
            l.servers == [.init(host: "db1.example.org", port: 5433), .init(host: "db2.example.org", port: 5432)]
        )
        #expect(l.user == "dutyd" && l.password == "p@ss" && l.database == "duty")
        #expect(l.tls == .verifyFull && l.readWriteOnly && l.connectTimeout == 3)
        #expect(l.name == "postgresql://dutyd@db1.example.org:5433,db2.example.org:5432/duty")
        #expect(!l.name.contains("p@ss"))
        let v6 = try #require(try PostgresLocation("postgres://[::1]:6000/x"))
        #expect(v6.servers == [.init(host: "::1", port: 6000)])
    }

    @Test("key=value: a socket folder, a quoted value, a password file's first line; a path is not a connection string")
    func keywords() throws {
        let file = scratchDirectory.appendingPathComponent("pg-password-\(UUID().uuidString)").path
        try "s3cret \nsecond line\n".write(toFile: file, atomically: true, encoding: .utf8)
        let l = try #require(
            try PostgresLocation("host=/run/postgresql port=6001 dbname='my db' user=me password_file=\(file)")
        )
        #expect(l.servers.first?.socketPath == "/run/postgresql/.s.PGSQL.6001")
        #expect(l.database == "my db" && l.user == "me" && l.password == "s3cret")
        let credentials = scratchDirectory.appendingPathComponent("creds-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: true)
        try "from-systemd\n".write(toFile: credentials + "/db", atomically: true, encoding: .utf8)
        let c = try #require(
            try PostgresLocation(
                "host=/run/postgresql password_credential=db",
                environment: ["CREDENTIALS_DIRECTORY": credentials]
            )
        )
        #expect(c.password == "from-systemd")
        for path in ["/var/lib/dutyd/dutyd.sqlite", "dutyd.sqlite", "./state/x.sqlite"] {
            #expect(try PostgresLocation(path) == nil, "\(path)")
        }
    }

    @Test("a mistake in a connection string names the parameter and what is expected")
    func mistakes() throws {
        let cases: [(String, String)] = [
            (
                "postgresql://h/db?sslmode=maybe",
                "sslmode=maybe: expected one of disable, prefer, require, verify-ca, verify-full"
            ),
            ("postgresql://h/db?sslcert=/x", "unknown parameter 'sslcert'"),
            ("host=h port=99999", "port '99999': expected a number from 1 to 65535"),
            ("host=a,b,c port=1,2", "3 hosts but 2 ports"),
            ("host=h password_credential=db", "$CREDENTIALS_DIRECTORY is not set"),
            ("host=h password_file=/nonexistent/pw", "password_file: cannot read /nonexistent/pw"),
            ("postgresql://h/db?target_session_attrs=standby", "expected any, read-write or primary"),
        ]
        for (text, words) in cases {
            do {
                _ = try PostgresLocation(text, environment: [:])
                Issue.record("\(text) was taken")
            } catch {
                #expect(error.message.hasPrefix("state: PostgreSQL connection string: "), "\(error.message)")
                #expect(error.message.contains(words), "\(text): \(error.message)")
            }
        }
    }

    @Test("several hosts: a server that is down and one that only reads are passed over for the one that writes")
    func failover() throws {
        let primary = try PostgresServer.shared()
        let state = try primary.newDatabase()
        let database = PostgresServer.database(of: state)
        // A "standby": a server whose sessions only read.
        let standby = try PostgresServer.own("standby")
        try standby.sql("CREATE DATABASE \(database)", database: "postgres")
        try standby.sql("ALTER DATABASE \(database) SET default_transaction_read_only = on", database: "postgres")
        let hosts = "/nonexistent-\(UUID().uuidString),\(standby.socketFolder),\(primary.socketFolder)"
        let store = try DutyStore.open(
            "host=\(hosts) dbname=\(database) user=postgres target_session_attrs=read-write connect_timeout=60"
        )
        try store.addUnit(.init(id: "gd", name: "广东", kind: "committee", addedOn: .init(iso: "2026-01-01")!))
        #expect(try primary.sql("SELECT id FROM unit", database: database).contains("gd"))
        // Without read-write, the standby is taken and a change is refused there, saying why. (A
        // minute to connect: the full suite's load once made the default 10 s too short.)
        do {
            _ = try DutyStore.open("host=\(standby.socketFolder) dbname=\(database) user=postgres connect_timeout=60")
            Issue.record("a read-only server was migrated")
        } catch {
            #expect(error.message.contains("read-only"), "\(error.message)")
        }
        // Nothing answers: every server is named with what went wrong and what to check.
        do {
            _ = try DutyStore.open("host=/nonexistent-a,/nonexistent-b dbname=x user=postgres connect_timeout=2")
            Issue.record("opened a store on no server")
        } catch {
            #expect(error.message.contains("/nonexistent-a") && error.message.contains("/nonexistent-b"))
            #expect(error.message.contains("pg_lsclusters"), "\(error.message)")
        }
    }
}
