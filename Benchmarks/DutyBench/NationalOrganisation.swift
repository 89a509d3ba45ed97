import Foundation

/// Writes a national-size organisation as the two CSV files `dutyctl unit import` and
/// `dutyctl official import` read: a 5-level tree (the centre, 31 provinces, 12 cities each, 10
/// counties each, then units), each committee with its propaganda, organisation and discipline
/// departments and 5 party groups, every unit with a clerk and every committee with its leaders.
/// The same `units` always gives the same files.
///
///     DutyBench generate --units 1000000 --out /tmp/org
enum NationalOrganisation {
    static let provinces = 31
    static let citiesPerProvince = 12
    static let countiesPerCity = 10
    static let departments = [("xcb", "宣传部", "propaganda"), ("zzb", "组织部", "organization"), ("jw", "纪委", "discipline")]
    static let partyGroups = 5

    /// Writes `units.csv` and `officials.csv` in `folder`; returns the counts.
    static func write(units total: Int, to folder: String) throws -> (units: Int, officials: Int) {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var units = CSVWriter(path: folder + "/units.csv", header: "id,name,kind,parent,email")
        var officials = CSVWriter(path: folder + "/officials.csv", header: "id,name,email,unit,roles")
        var unitCount = 0
        var officialCount = 0
        var rng = SplitMix(state: 1949)
        let surnames = Array(
            "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
        )
        let given = Array("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬辉鹏斌宇浩凯健俊帆帅旭宁琳晨")

        func person(_ unit: String, _ roles: String) {
            officialCount += 1
            let id = "o\(officialCount)"
            let name =
                String(surnames[rng.int(0...(surnames.count - 1))]) + String(given[rng.int(0...(given.count - 1))])
                + (rng.chance(0.5) ? String(given[rng.int(0...(given.count - 1))]) : "")
            officials.row([id, name, "\(id)@example.org", unit, roles])
        }
        func unit(_ id: String, _ name: String, _ kind: String, _ parent: String) {
            unitCount += 1
            units.row([id, name, kind, parent, kind == "committee" || kind == "propaganda" ? "\(id)@example.org" : ""])
        }
        /// A committee with its departments, party groups and leaders.
        func region(_ id: String, _ name: String, _ parent: String) {
            unit(id, "中共\(name)委", "committee", parent)
            person(id, "secretary")
            person(id, "deputy")
            person(id, "member")
            person(id, "member")
            person(id, "clerk")
            for (code, dept, kind) in departments {
                unit("\(id).\(code)", "\(name)委\(dept)", kind, id)
                person("\(id).\(code)", "head")
                person("\(id).\(code)", "clerk")
            }
            for g in 1...partyGroups {
                unit("\(id).pg\(g)", "\(name)第\(g)部门党组", "party-group", id)
                person("\(id).pg\(g)", "secretary")
                person("\(id).pg\(g)", "clerk")
            }
        }
        let perRegion = 1 + departments.count + partyGroups
        let counties = provinces * citiesPerProvince * countiesPerCity
        let regions = 1 + provinces + provinces * citiesPerProvince + counties
        let leaves = max(0, total - regions * perRegion)

        region("cn", "中央", "")
        var county = 0
        for p in 1...provinces {
            let pid = "cn.p\(p)"
            region(pid, "第\(p)省", "cn")
            for c in 1...citiesPerProvince {
                let cid = "\(pid).c\(c)"
                region(cid, "第\(p)省第\(c)市", pid)
                for k in 1...countiesPerCity {
                    let kid = "\(cid).k\(k)"
                    region(kid, "第\(p)省第\(c)市第\(k)县", cid)
                    // Leaves spread evenly, the remainder to the first counties.
                    let n = leaves / counties + (county < leaves % counties ? 1 : 0)
                    county += 1
                    for u in 0..<n {
                        let uid = "\(kid).u\(u + 1)"
                        unit(uid, "第\(k)县第\(u + 1)单位党组织", "unit", kid)
                        person(uid, "clerk")
                    }
                }
            }
        }
        try units.close()
        try officials.close()
        return (unitCount, officialCount)
    }
}

/// Buffered CSV output (the fields written here never need quotes).
struct CSVWriter {
    let handle: FileHandle
    var buffer: [UInt8] = []

    init(path: String, header: String) {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        handle = FileHandle(forWritingAtPath: path)!
        buffer.append(contentsOf: (header + "\n").utf8)
    }

    mutating func row(_ fields: [String]) {
        for (i, f) in fields.enumerated() {
            if i > 0 { buffer.append(UInt8(ascii: ",")) }
            buffer.append(contentsOf: f.utf8)
        }
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count > 1 << 20 {
            handle.write(Data(buffer))
            buffer.removeAll(keepingCapacity: true)
        }
    }

    mutating func close() throws {
        handle.write(Data(buffer))
        try handle.close()
    }
}
