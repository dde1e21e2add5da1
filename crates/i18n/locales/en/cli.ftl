# The command line's answers: the review, the imports. Each has its Chinese in ../zh/cli.ftl,
# with the same arguments.

cli-review-written = { $count ->
        [one] { $count } finding
       *[other] { $count } findings
    } written to { $path }
cli-import-opened = opened { $count } case(s)
cli-import-opened-line = line { $line }: case { $case }
cli-import-unchanged = unchanged (opened by an earlier import): { $count } row(s)
cli-import-line = line { $line }
cli-import-enrolled = enrolled at a junior middle school: { $count } leaver(s)
cli-import-rejected = rejected: { $count } row(s)
cli-import-rejected-row = { $file } line { $line }: { $reason }
cli-import-rejected-row-field = { $file } line { $line }, { $field }: { $reason }
cli-registry-summary = cross-check "{ $name }" over { $scope } ({ $schools } school(s)): { $examined } children examined, { $opened } case(s) opened, { $outside } child(ren) at schools outside it left as they are
cli-registry-new = new
cli-registry-resolved = resolved (no longer found)
cli-registry-unchanged = unchanged (still open)
cli-registry-explained = explained (resolved before with a document)
cli-registry-not-in-lists = not in the latest lists (kept open)
cli-scope-county = the county
cli-scope-townships = townships { $ids }
cli-scope-schools = schools { $ids }
cli-registry-group = { $title }: { $count }
cli-registry-change = { $kind } at { $school }: case { $case }

## issue 15.5 and 15.7 (registry-calendar): the registry answer school by school; the
## calendar file recorded once

cli-registry-by-school = school by school:
cli-registry-column-township = township
cli-registry-column-school = school
cli-registry-column-school-id = school id
cli-registry-column-examined = examined
cli-registry-column-raised = raised
cli-registry-column-cleared = cleared
cli-registry-column-not-in-lists = not in lists
cli-registry-column-unchanged = still open
cli-registry-column-explained = explained
cli-registry-total = total
calendar-file-differs = the calendar file { $file } differs from the school calendar already recorded ({ $count } difference(s)); nothing was recorded. The calendar is recorded once: starting again with the file that seeded it, or with one equal to the calendar in force, changes nothing. To change the recorded calendar, declare each change with its name through the API as an admin or bureau officer (POST /api/v1/calendar/terms, /api/v1/calendar/holidays, /api/v1/calendar/make-up-days; DELETE /api/v1/calendar/days/DAY), where it is kept with who declared it and when, then start without --calendar or with a file that says the same. The differences:
calendar-file-not-recorded = the calendar file { $file } is not recorded yet and this command only reads: start the server with it once (notoneless serve --calendar { $file }), which records it as the county's calendar
calendar-diff-day = { $day }: the file says { $file }, the record says { $recorded }
calendar-diff-term-file-only = term “{ $name }” { $first }–{ $last }: in the file, not in the record
calendar-diff-term-recorded-only = term “{ $name }” { $first }–{ $last }: in the record, not in the file
calendar-diff-utc-offset = the file's utc_offset_minutes is { $file }; the recorded calendar is in Asia/Shanghai time ({ $recorded })
calendar-day-kind-holiday = a holiday
calendar-day-kind-make-up-day = a make-up school day
calendar-day-kind-ordinary = an ordinary day
calendar-file-no-term = the file declares no term: no day of it would be a school day
calendar-file-with-demo = --demo builds the demo county with its own school calendar: --calendar is not taken with it
## One case file per child
cli-import-already-has-case = left, the child already has a case file: { $count } row(s)
## issue 16 leftovers (task C): verify, admin import-users, import roll-calls, import ledger

cli-verify-counted = { $events } events in { $cases } cases
cli-verify-broken = BROKEN case { $case } ({ $type }) at sequence { $sequence }: { $problem }
cli-verify-suspect = SUSPECT event { $sequence } of case { $case } ({ $type }) at position { $position }, recorded at { $recorded }: { $problem }
cli-verify-unsigned = unsigned
cli-verify-unknown-key = signed by a key the log never announced
cli-verify-bad-signature = the signature does not hold
cli-verify-recorded-backwards = recorded_at goes backwards in commit order
cli-verify-keys = signing keys: { $keys }
cli-verify-recorded-at-unchecked = recorded_at not checked: the database is marked for training, a demonstration or tests
cli-verify-since-holds = the earlier digest { $digest } holds
cli-verify-since-broken = the earlier digest { $digest } does NOT hold (the same events now give { $found })
cli-verify-since-shorter = the earlier digest { $digest } does NOT hold (the same events now give nothing: the log is shorter)
cli-verify-digest = digest: { $digest }
cli-verify-clean = verified: clean
cli-verify-tampered = verified: TAMPERED
cli-checkpoint-signature-broken = checkpoint { $number }: its signature does NOT hold for a key the log announces
cli-checkpoint-heads-broken = checkpoint { $number }: the heads in the file do NOT give its signed root
cli-checkpoint-shorter = checkpoint { $number }: the log holds { $now } events, fewer than the { $covered } it covered
cli-checkpoint-differs = DIFFERS case { $case } ({ $type }) at sequence { $sequence }: { $problem }
cli-checkpoint-missing = the event the checkpoint ends on is gone
cli-checkpoint-rehashed = the event the checkpoint ends on has another hash
cli-checkpoint-extends = the log extends checkpoint { $number }
cli-checkpoint-not-extended = the log does NOT extend checkpoint { $number }
cli-import-refused-all = rejected: { $count } row(s); nothing was written
cli-roll-calls-recorded = recorded { $count } roll call(s) at { $school }
cli-roll-calls-line = { $day } { $class }: line(s) { $lines }
cli-roll-calls-unchanged = unchanged (already on record): { $count } roll call(s)
cli-roll-calls-not-a-school = --school: { $school } is not a school
cli-ledger-summary = ledger of { $date }: { $opened } case(s) opened, { $facts } fact(s) recorded by { $by }
cli-ledger-case = case { $case } at { $school }: { $recorded } recorded, { $unchanged } already on record
cli-ledger-date-after-today = --ledger-date: { $date } is after today ({ $today }); a ledger is imported as of a day past
cli-users-refused = refused: { $count } row(s); nothing was imported
cli-users-summary = added { $added } user(s), updated { $updated }, unchanged { $unchanged }
cli-users-added = added { $id } ({ $role } at { $node }): { $file } line { $line }
cli-users-updated = updated { $id } ({ $role } at { $node }): { $file } line { $line }
cli-users-handout = the new users' one-time passwords are in { $path } (a sheet per school): print it and hand each their own; they choose their own password at their first login
cli-users-passwords-needed = --passwords: { $count } new user(s) get a one-time password: name the workbook to write them to (--passwords FILE.xlsx); nothing was imported
cli-users-not-imported = nothing was imported: { $error }
cli-cannot-read = { $what }: cannot read { $path }
cli-file-refused = { $what }: { $path } { $reason }
