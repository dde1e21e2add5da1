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
