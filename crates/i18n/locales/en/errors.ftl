# The refusals and errors a person reads: the API's answers and the rules' refusals.
# Every message here has its Chinese twin in ../zh/errors.ftl, with the same arguments.

## The API's answers

# A refusal that names the field at fault: the field, then the refusal's text.
field-message = { $field }: { $text }
unauthenticated = a valid bearer token is required
token-expired = the bearer token expired at { $expired_at }; ask an admin for a new one
too-many-failures = too many failed attempts to authenticate from this address; try again in { $retry_after } s
# $role is the role's id (head_teacher …), $role_label its name, $action what was refused.
forbidden = { $role ->
    [inspector] an
    [admin] an
   *[other] a
} { $role_label } may not { $action }
not-found = not found
method-not-allowed = the path has no such method; the Allow header lists those it has
conflict-concurrent-write = others kept changing the same record at the same time; nothing was written, try again
conflict-key-reused = the Idempotency-Key was already used for a different request
too-large = the request body is too large
unavailable = the database is unavailable; try again shortly
timed-out = the request took longer than { $seconds } s and was stopped; try again (a write retried with the same Idempotency-Key is not made twice)
internal = internal error; the details are in the server's log

## A request that cannot be read

body-not-utf8 = the body is not UTF-8: the first byte that is not is at line { $line }, column { $column }
# $detail is the JSON reader's own words.
body-unreadable = the body cannot be read: { $detail }
trailing-characters = trailing characters after the JSON value: { $detail }
nul-character = the NUL character (U+0000) is not accepted
nul-character-on-line = the NUL character (U+0000) is not accepted (line { $line })
not-utf8-decoded = not UTF-8 once percent-decoded
missing-field = missing field `{ $name }`
unknown-field = unknown field `{ $name }`
duplicate-field = duplicate field `{ $name }`
# $detail is the reader's own words ("invalid type: string, expected i64").
invalid-value = { $detail }
page-too-low = must be 1 or more
per-page-range = must be from 1 to 200
idempotency-key-format = 1 to 200 visible ASCII characters
registry-state-choice = expected open, resolved, cleared or all

## Imports: a list file, its header, its rows

file-not-text = is not text in UTF-8 or GBK/GB18030 (line { $line }); save the list as CSV in UTF-8 or GBK, or as XLSX
file-mixed-encodings = is UTF-8 text up to line { $line }, which is not: it mixes two encodings; save the list again as CSV (UTF-8 or GBK) or as XLSX
file-utf16 = is UTF-16 text; save the list as CSV in UTF-8 or GBK, or as XLSX
file-nul = holds a NUL character (line { $line }); save the list as CSV in UTF-8 or GBK, or as XLSX
file-not-workbook = cannot be read as a workbook; save it again as XLSX, or as CSV
file-no-sheet = is a workbook without a sheet
list-header-unreadable = cannot read the header: { $reason }
list-unknown-column = { $column } is not a column of this list; its columns are { $expected }
list-column-twice = the column { $column } is given twice
list-missing-column = the header lacks the column { $column }
list-empty = the list has no rows
roll-call-shape-unknown = the header is neither a roll call per class and day ({ $class_day }) nor one per absent child ({ $absent_child })
row-unreadable = cannot read the row: { $reason }
row-bad-date = { $value } is not a date YYYY-MM-DD
row-bad-count = { $value } is not a whole number
row-bad-choice = { $value } is not one of: { $choices }
row-bad-absent-entry = { $value } is not student_number:name (with :excused for a child on leave)
row-class-day-differs = differs from line { $line }, the same class on the same day
row-child-differs = differs from line { $line }, the same child
row-no-child = names no child, and no child's row comes before it
row-roll-call-recorded-otherwise = a different roll call of this class on { $date } is already recorded
row-bad-id-number = is not a valid 18-character resident ID number
row-step-after-ledger = { $date } is after the ledger's date { $ledger_date }
row-roles-dont-pair = names { $roles } roles for { $people } people
row-not-your-school = { $school } is not a school you may import for
row-case-refuses = the child's case refuses it: { $reason }
ledger-imported-reason = imported from the ledger of { $date }
ledger-note-by = by { $by }
ledger-note-with-by = { $note } (by { $by })
ledger-date-choice = the ledger's date must be a day YYYY-MM-DD no later than today
encoding-choice = expected auto, utf-8, gbk or gb18030
file-not-base64 = is not a file in base64: give the list as CSV text, or as an object with "base64" (and "encoding")
import-refused = { $count ->
    [one] 1 row was refused
   *[other] { $count } rows were refused
}; nothing was written
lifetime-days-range = must be from 1 to { $max }
no-such-school = there is no school { $school }
clock-not-training = this server runs on the machine's clock; only a training server's clock (notoneless serve --clock) can be moved
clock-backwards = { $to } is before the clock's { $now }; a training clock only moves forward
review-until-before-from = { $until } is before `from` { $from }
review-too-long = a review covers at most { $max } days from `from`
threshold-range = must be a number of days from 0 to { $max }, not { $value }

## Sessions, passwords and accounts

csrf-required = a request that changes something, made with a session cookie, must carry the session's CSRF token (the X-CSRF-Token header; a form's csrf_token field)
session-unknown = the session is not known; log in
session-idle = the session ended after { $minutes } minutes without use; log in again
session-lifetime = the session ended { $days } days after its login; log in again
session-ended = the session was ended (logged out, ended by an admin, or its user's password changed); log in again
session-user-inactive = the session's user is no longer active
wrong-credentials = the user name or the password is wrong
wrong-current-password = is not your password
account-locked = too many wrong passwords for this account: it is locked until { $until }; an admin or your principal can reset the password
one-time-password-to-change = this is a one-time password: choose your own password (new_password) to log in
password-too-short = must have at least { $min } characters
password-too-long = must have at most { $max } characters
password-edge-space = must not begin or end with a space
password-common = is one of the commonest passwords, which are guessed first; choose another
password-run = is one character repeated or a run such as 12345678 or abcdefgh; choose another
password-holds-user-name = must not contain your user name
password-same-as-before = must differ from the one-time password

## The case's rules

case-not-opened = the case has not been opened
case-already-opened = the case is already open
blank = must not be blank
too-long = must be at most { $max } characters
bad-format = expected { $expected }
empty-list = must list at least one
given-twice = { $value } is given twice
not-there-to-remove = { $value } is not there to remove
day-after-today = { $date } is after today ({ $today })
day-before-case-opened = { $date } is before the case was opened on { $opened_on }
end-before-start = { $end } is before { $start }
day-before-status-change = { $date } is before the case's last change of status on { $since }
day-before-event = { $date } is before event { $sequence }, dated { $event_on }
wrong-status = cannot { $action } while the case is { $status }
not-enrolled-on = the child was { $status } on { $date }, not expected at school
duplicate-absence = an absence on { $on } is already recorded (event { $sequence })
covered-by-leave = { $on } is covered by the leave granted in event { $sequence }
present-that-day = the child is recorded at school on { $on } (event { $sequence })
absent-that-day = an absence is recorded on { $on } (event { $sequence })
overlaps-leave = the leave overlaps the leave granted in event { $sequence }
not-absent = the child is not absent: no unexcused absence before { $on } is still open
still-absent = the child has been absent since { $since } with no return on record: record the return first
no-such-report = no report { $reference } to the { $recipient } is on record
already-acknowledged = report { $reference } was already acknowledged (event { $sequence })
no-such-event = there is no event { $sequence } in this case
already-retracted = event { $sequence } is already retracted
cannot-retract = event { $sequence } cannot be retracted: { $reason }
not-in-focus-group = the child is not in the focus group { $group }
finding-still-open = a registry finding of kind { $kind } is still open (event { $sequence })
no-open-finding = no registry finding of kind { $kind } is open

## What a value must be

format-student-number = 1 to 32 letters and digits
format-phone = a phone number of 5 to 20 digits
format-token-hash = 64 hex digits
rule-leave-too-long = leave of a year or more is a suspension (休学), not leave
rule-session-minutes = a session lasts from 1 to 480 minutes
rule-grade8-derived = grade 8 and above follows from the grade and is not declared
rule-age-range = a child in compulsory education is between 3 and 20 years old
rule-grade-range = compulsory education has grades 1 to 9
rule-reason-needs-reached = only a guardian who was reached can give a reason
rule-support-above-zero = a reduction, waiver or subsidy must have an amount above zero
rule-support-at-most = a single support is at most 10,000,000 fen (100,000 yuan)
rule-roll-call-present-over-enrolled = more present than enrolled
rule-roll-call-absent-count = must name every child absent: enrolled minus present
rule-opening-stands = the opening of the case stands; correct its details with a note
rule-correction-stands = a correction cannot be retracted; record another correction
rule-short-text = must be at most 200 characters
rule-one-county = there is already a county
rule-county-no-parent = a county has no parent
rule-node-parent = a township belongs to the county, a school to a township

## The organisation's refusals

org-exists = { $value } already exists
org-unknown = there is no { $value }
org-role-wrong-node = a { $role } belongs to a { $kind } node
org-batch-nested = a batch is decided whole, never inside another
org-no-one-time-password = a new user needs a one-time password
format-password-hash = an argon2id hash
format-user-name = { $value } is not a user name: 1 to 64 ASCII letters, digits, '.', '-' or '_'

## The calendar's and the ladder's refusals

term-name-blank = must not be blank
term-ends-before-start = { $last_day } is before the first day { $first_day }
terms-overlap = overlaps term { $other }
holiday-and-make-up-day = { $date } is also declared a holiday
make-up-day-not-weekend = { $date } is not a Saturday or Sunday
make-up-day-outside-terms = { $date } is in no term
bad-utc-offset = { $minutes } is not between -720 and 840
ladder-empty = must list at least one
ladder-day-zero = must be 1 or more
ladder-not-increasing = must be later than the step before
ladder-no-roles = must list at least one

no-such-scope-node = { $node } is not a { $kind } of the county
scope-either-townships-or-schools = give the townships or the schools the lists cover, not both

## Warnings about a fact that was recorded

absence-not-on-school-day = { $day } is not a school day in the calendar in force (a weekend, a holiday or outside every term): the absence is kept, but it does not count toward the escalation ladder

## One case file per child (issue 15 point 4)

child-has-case = this child already has an open case file, { $case }: a child has one case file, so record on that one; nothing was written
child-has-case-elsewhere = this child already has an open case file at another school ({ $school }), which you may not see; ask that school or { $office }; nothing was written
reopen-child-has-case = this case file cannot be reopened: the child's other case file { $case } is open; nothing was written
row-already-has-case = line { $row }: the child already has a case file, { $case }; no second one was opened
## issue 16 leftovers (task C): why an import refuses a row

row-field-count = has { $count } fields, expected { $expected }
list-header-must-be = the header must be { $header }
list-header-must-be-either = the header must be { $header } or { $other }
row-listed-twice = { $value } is listed twice (first on line { $line })
row-listed-twice-in-list = { $value } is listed twice (first on line { $line } of list { $list })
row-needs-number-and-school = expected a student number and a school
row-not-a-county-school = { $value } is not a school of the county
row-disagrees-with-id-number = disagrees with the ID number
row-not-school-age = the child is { $age } on { $on }, not of compulsory school age ({ $youngest }–{ $oldest })
row-bad-grade = { $value } is not a grade from 1 to 9
row-user-deactivated = { $value } was deactivated; an import does not bring a user back
## issue 16 point 3 (task G): a refused cell cut short
cell-cut = { $start }… ({ $count } characters)
