import DutyCalendar
let z = Zone.named("Europe/Berlin")!
let spec = try CalendarSpec.parse("Mon *~02 2:*:* Australia/Lord_Howe")
print(try spec.next(after: Instant(iso: "2026-10-25T00:30:00Z")!, count: 1, localZone: z).map { $0.format(in: z) })
