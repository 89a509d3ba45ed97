extension OccurrenceView: JSONRow {
    // Keys in the order the sorted encoder writes them: by their bytes.
    package func writeJSON(to out: inout JSONBytes) {
        out.open()
        out.key("article", first: true)
        out.string(article)
        if let colour {
            out.key("colour")
            out.string(colour)
        }
        if let completion {
            out.key("completion")
            completion.writeJSON(to: &out)
        }
        out.key("days_left")
        out.int(daysLeft)
        out.key("deadline")
        out.string(deadline)
        out.key("deadline_date")
        out.string(deadlineDate)
        if let extended {
            out.key("extended")
            out.open()
            out.key("from", first: true)
            out.string(extended.from)
            out.key("request")
            out.string(extended.request)
            out.close()
        }
        out.key("id")
        out.string(id)
        out.key("liability")
        out.open()
        out.key("important", first: true)
        out.strings(liability.important)
        out.key("main")
        out.strings(liability.main)
        out.close()
        out.key("obligation")
        out.string(obligation)
        out.key("period")
        out.string(period)
        out.key("provisional")
        out.bool(provisional)
        if let receipt {
            out.key("receipt")
            out.open()
            var first = true
            if let at = receipt.at {
                out.key("at", first: true)
                out.string(at)
                first = false
            }
            if let by = receipt.by {
                out.key("by", first: first)
                out.string(by)
                first = false
            }
            out.key("due", first: first)
            out.string(receipt.due)
            if let how = receipt.how {
                out.key("how")
                out.string(how)
            }
            out.key("state")
            out.string(receipt.state)
            out.close()
        }
        out.key("responsible")
        out.array(responsible) { $1.writeJSON(to: &$0) }
        out.key("rule_date")
        out.string(ruleDate)
        out.key("state")
        out.string(state)
        out.key("steps")
        out.array(steps) { out, step in
            out.open()
            out.key("at", first: true)
            out.string(step.at)
            out.key("kind")
            out.string(step.kind)
            out.key("name")
            out.string(step.name)
            out.key("provisional")
            out.bool(step.provisional)
            out.key("recipients")
            out.array(step.recipients) { $1.writeJSON(to: &$0) }
            out.close()
        }
        out.key("subject")
        out.string(subject)
        out.key("subject_kind")
        out.string(subjectKind)
        out.key("subject_name")
        out.string(subjectName)
        out.key("title")
        out.string(title)
        out.key("unit")
        out.string(unit)
        out.key("unit_name")
        out.string(unitName)
        if let waiver {
            out.key("waiver")
            out.open()
            out.key("by", first: true)
            out.string(waiver.by)
            out.key("reason")
            out.string(waiver.reason)
            out.key("recorded_at")
            out.string(waiver.recordedAt)
            out.close()
        }
        out.key("weekday")
        out.string(weekday)
        out.close()
    }
}

extension PersonView {
    func writeJSON(to out: inout JSONBytes) {
        out.open()
        var first = true
        if let email {
            out.key("email", first: true)
            out.string(email)
            first = false
        }
        if let id {
            out.key("id", first: first)
            out.string(id)
            first = false
        }
        out.key("name", first: first)
        out.string(name)
        out.key("relation")
        out.string(relation)
        if let role {
            out.key("role")
            out.string(role)
        }
        out.key("unit")
        out.string(unit)
        out.close()
    }
}

extension CompletionView {
    func writeJSON(to out: inout JSONBytes) {
        out.open()
        out.key("by", first: true)
        out.string(by)
        out.key("late")
        out.bool(late)
        if let note {
            out.key("note")
            out.string(note)
        }
        out.key("on")
        out.string(on)
        out.key("recorded_at")
        out.string(recordedAt)
        if let reference {
            out.key("reference")
            out.string(reference)
        }
        out.close()
    }
}
