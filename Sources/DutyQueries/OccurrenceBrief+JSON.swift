import DutyCalendar
import DutyCore

extension OccurrenceBrief: JSONRow {
    package func writeJSON(to out: inout JSONBytes) {
        out.open()
        var first = true
        if let colour {
            out.key("colour", first: true)
            out.string(colour)
            first = false
        }
        out.key("days_left", first: first)
        out.int(daysLeft)
        out.key("deadline")
        out.string(deadline)
        out.key("deadline_date")
        out.string(deadlineDate)
        out.key("id")
        out.string(id)
        out.key("obligation")
        out.string(obligation)
        out.key("period")
        out.string(period)
        out.key("provisional")
        out.bool(provisional)
        out.key("responsible")
        out.strings(responsible)
        out.key("state")
        out.string(state)
        out.key("subject")
        out.string(subject)
        out.key("subject_name")
        out.string(subjectName)
        out.key("unit")
        out.string(unit)
        out.key("weekday")
        out.string(weekday)
        out.close()
    }
}

extension OccurrenceBrief: JSONLineReadable {
    package static func read(jsonLine: ArraySlice<UInt8>) -> OccurrenceBrief? {
        var id: String?
        var obligation: String?
        var subject: String?
        var subjectName: String?
        var unit: String?
        var period: String?
        var deadline: String?
        var deadlineDate: String?
        var weekday: String?
        var state: String?
        var colour: String?
        var provisional: Bool?
        var daysLeft: Int?
        var responsible: [String]?
        var reader = FlatJSONReader(jsonLine)
        let ok = reader.object { r, key in
            switch key {
            case "id": id = r.string()
            case "obligation": obligation = r.string()
            case "subject": subject = r.string()
            case "subject_name": subjectName = r.string()
            case "unit": unit = r.string()
            case "period": period = r.string()
            case "deadline": deadline = r.string()
            case "deadline_date": deadlineDate = r.string()
            case "weekday": weekday = r.string()
            case "state": state = r.string()
            case "colour":
                colour = r.string()
                return colour != nil
            case "provisional":
                provisional = r.bool()
                return provisional != nil
            case "days_left":
                daysLeft = r.int()
                return daysLeft != nil
            case "responsible":
                responsible = r.strings()
                return responsible != nil
            default: return false
            }
            return true
        }
        guard ok, let id, let obligation, let subject, let subjectName, let unit, let period, let deadline,
            let deadlineDate, let weekday, let state, let provisional, let daysLeft, let responsible
        else { return nil }
        return OccurrenceBrief(
            id: id,
            obligation: obligation,
            subject: subject,
            subjectName: subjectName,
            unit: unit,
            period: period,
            deadline: deadline,
            deadlineDate: deadlineDate,
            weekday: weekday,
            provisional: provisional,
            state: state,
            colour: colour,
            daysLeft: daysLeft,
            responsible: responsible
        )
    }
}

extension OccurrenceRow: JSONLineReadable {
    /// A brief row read quickly; a full one (or anything unusual) is left to `JSONDecoder`.
    package static func read(jsonLine: ArraySlice<UInt8>) -> OccurrenceRow? {
        OccurrenceBrief.read(jsonLine: jsonLine).map { .brief($0) }
    }
}
