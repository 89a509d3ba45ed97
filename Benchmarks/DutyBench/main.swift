import DutyCalendar
for t in [#"{"year": 2027, "papers": ["x"], "days": [{"name": "春节", "date": "2027-02-30", "isOffDay": true}]}"#, "{\n \"year\": 2027,\n \"days\": [\n  {\"name\": \"x\", \"date\": \"2027-03-01\", \"isOffDay\": false}\n ]\n}", "{\"year\": 2027, \"days\": [{\"name\": \"x\", \"date\": \"2027-03-06\", \"isOffDay\": \"yes\"}]}"] {
    do { _ = try HolidaySchedule.parseJSON(Array(t.utf8), source: "2027.json", expectedYear: 2027) } catch { print(error) }
}
