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
