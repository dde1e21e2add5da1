# The web console's pages (crates/web).

console-product-name = Not One Less
console-skip-to-content = Skip to the content
console-account-nav = Account
console-other-language = 中文
console-log-out = Log out
console-there-is-a-problem = There is a problem
console-user-name = User name
console-password = Password
console-new-password = Choose a new password
console-new-password-hint = At your first login, or after a reset, choose your own password: at least { $min } characters, not a common one.
console-log-in = Log in
console-login-title = Log in
console-form-from-elsewhere = This form came from another site and was refused. Log in on this system's own page.
console-enter-user = Enter your user name
console-enter-password = Enter your password
console-today-title = Today
console-no-steps-for-role = Your role records no steps of a case: nothing to do here.
console-overdue = Overdue
console-nothing-overdue = Nothing is overdue.
console-overdue-tag = Overdue
console-due-soon = Due
console-nothing-due = Nothing is due.
console-not-found = Page not found
console-not-found-text = There is no such page. Check the address, or go back to the home page.
console-go-home = Go to the home page
console-failed = Cannot be shown just now
console-failed-text = The system cannot read its data just now; try again shortly. If it goes on, ask the county bureau's system administrator.
console-due-by = Due by { $day }
console-refused = Cannot be done
console-channel-phone = Phone
console-channel-message = Text or WeChat message
console-channel-in-person = In person
console-channel-other = Another way
console-reached-yes = Reached
console-reached-no = Not reached
console-call-title = Call the parents
console-call-day = Day of the call
console-call-guardian = Guardian contacted
console-call-channel = How
console-call-reached = Reached?
console-call-reason = The reason the guardian gave
console-call-reason-hint = When reached
console-call-note = Note
console-call-save = Save
console-enter-date = Enter the day, as 2023-11-09
console-enter-guardian = Enter the guardian contacted
console-choose-channel = Choose how
console-choose-reached = Choose whether they were reached
console-record-call = Record the call
console-child = { $name } (grade { $grade }, class { $class })

# The roll call, the step forms, the child's page, acknowledgements (issue 17, console-steps).
console-roll-heading = Today's roll call
console-roll-class = Class { $class }
console-roll-not-yet = Not yet taken
console-roll-done = Taken: { $absent } absent
console-roll-title = Roll call
console-roll-title-of = Class { $class }: today's roll call
console-roll-enrolled = Pupils enrolled
console-roll-enter-enrolled = Enter how many pupils are enrolled, as a number
console-roll-too-few = Fewer pupils enrolled than absent
console-roll-no-children = No child of this class has a case file; name any child absent below.
console-roll-present = Present
console-roll-absent = Absent (unexcused)
console-roll-leave = On leave
console-roll-other = Another child absent
console-roll-other-hint = A child absent who is not listed above: student number and name
console-roll-number = Student number
console-roll-name = Name
console-roll-enter-number = Enter the student number
console-roll-enter-name = Enter the name
console-roll-choose-mark = Choose absent or on leave
console-roll-save = Submit the roll call
console-visit-title = Home visit
console-visit-day = Day of the visit
console-visit-who = Who went
console-visit-required = This visit requires: { $roles }
console-visit-name = Name of the { $role }
console-visit-enter-name = Enter the name of the { $role }
console-visit-choose-who = Choose who went
console-visit-outcome = How it went
console-visit-agreed = The family agreed the child returns
console-visit-refused = The family refused
console-visit-nobody-home = Nobody was at home
console-visit-other = Something else
console-visit-choose-outcome = Choose how it went
console-required-tag = Required
console-report-title = Report upward
console-report-day = Day of the report
console-report-recipients = Reported to
console-report-recipients-hint = One report to the township government and one to the county bureau, each with its own reference
console-report-reference = Reference of the report to the { $recipient }
console-report-enter-reference = Enter the report's reference
console-report-choose-recipient = Choose whom to report to
console-report-summary = Summary
console-report-save = File the report
console-return-title = Return to school
console-return-day = Day of the return
console-record-visit = Record the home visit
console-record-report = Report to the township and the bureau
console-record-return = Record the return
console-acknowledge = Acknowledge
console-report-made-on = Reported on { $day }
console-to-acknowledge = Reports to acknowledge
console-nothing-to-acknowledge = No report to acknowledge.
console-to-supervise = To supervise (督办)
console-nothing-to-supervise = No report is overdue.
console-case-title = The child's case
console-case-link = The child's case
console-case-status = Status
console-case-absence = This absence
console-case-episode = Day { $days } of an absence since { $since }
console-case-record = Record
console-case-steps = The ladder's steps
console-case-no-steps = No steps are due.
console-case-facts = The whole case
console-fact-by = { $name } ({ $role })
console-recorded-at = recorded
console-late-entry = Late entry
console-retracted = Corrected
console-step-open = To do
console-step-overdue = Overdue
console-step-missed = Missed
console-step-done-on-time = Done on time
console-step-done-late = Done late
console-step-done-without-roles = Done without every required role
## The oversight pages (issue 17): search, the case timeline, the review, the dashboard, the proof
console-main-nav = Main pages
console-search-title = Find a child
console-search-label = Name, pinyin initials, student number or ID number
console-search-hint = For example: 王小明, wxm, G2113…
console-search-button = Search
console-search-found = { $total ->
        [one] 1 child
       *[other] { $total } children
    } found (page { $page } of { $pages })
console-search-nobody = Nobody in your jurisdiction matches.
console-pages = Pages
console-previous-page = Previous page
console-next-page = Next page
console-timeline-title = Case timeline
console-proof-download = Download this case's inclusion proof
console-corrects = Corrects
console-late-entry-by = Late entry: recorded { $delay ->
        [one] 1 day
       *[other] { $delay } days
    } after
console-imported-from-ledger = Imported from the ledger of { $day }
console-state-after = After: { $stage }, { $days ->
        [one] 1 day
       *[other] { $days } days
    } away, { $outstanding ->
        [one] 1 step
       *[other] { $outstanding } steps
    } outstanding
console-compare-heading = Compare: as of a day, as known at a time
console-compare-hint = Left: the case as of day D, as known now. Right: only what had been recorded by time T. The difference is what was filled in afterwards.
console-as-of-day = As of day D
console-known-at-time = As known at time T
console-known-at-hint = Format: 2023-11-12 18:00 (local time)
console-enter-time = Enter a time like 2023-11-12 18:00
console-compare-button = Compare
console-difference-heading = What was filled in afterwards
console-no-back-fill = Nothing about the days up to D was recorded after T.
console-back-filled = { $fact } of { $on }, recorded only { $recorded }
console-as-of-heading = As of { $day } (as known now)
console-known-at-heading = As known at { $time }
console-facts-counted = Facts counted
console-review-title = Review
console-review-from = From
console-review-to = To
console-review-scope = Scope
console-review-whole-jurisdiction = All of my jurisdiction
console-review-run = Run the review
console-review-ran = { $from } to { $until }: { $count ->
        [one] 1 finding
       *[other] { $count } findings
    }
console-review-nothing = No findings in this period.
console-download-xlsx = Download Excel (XLSX)
console-download-csv = Download CSV
console-dashboard-title = Overview
console-dashboard-townships = By township
console-dashboard-schools = By school
console-dashboard-name = Name
console-dashboard-cases = Cases
console-dashboard-away = Away now
console-dashboard-overdue = Overdue steps
console-dashboard-empty = No cases.
console-proof-title = The record's proof
console-proof-latest = Latest signed checkpoint
console-proof-number = Number
console-proof-at = Taken at
console-proof-size = Events / streams
console-proof-root = Digest (Merkle root)
console-proof-key = Signing key
console-proof-signature = Signature
console-proof-none = No signed checkpoint yet.
console-proof-case-heading = A case's inclusion proof
console-proof-case-id = Case id
console-proof-find = Find
stage-not-opened = not opened
stage-attending = attending
stage-absent = absent
stage-escalated = escalated
stage-suspended = suspended
stage-transfer-pending = transfer pending
stage-transferred-out = transferred out
stage-closed = closed

## the ledger to download from today
console-ledger-heading = Ledger
console-ledger-hint = The dropout-control ledger (台账) of every case in your jurisdiction, as a clerk files it (title row, numbered rows, print setup).

## the dashboard's unreported dropouts of the term so far
console-dashboard-unreported = Unreported dropouts
console-dashboard-unreported-since = Unreported dropouts (this term, since { $from })

## the admin's pages: users and the calendar (issue 17)
console-admin-users-title = Users
console-admin-calendar-title = School calendar
console-admin-users-heading = The organisation's users
console-admin-user-name = Name
console-admin-user-id = User id
console-admin-user-role = Role
console-admin-user-node = Unit (code)
console-admin-user-state = State
console-admin-user-actions = Actions
console-admin-active = Active
console-admin-inactive = Deactivated
console-admin-reset-password = Reset password
console-admin-deactivate = Deactivate
console-admin-new-user = Add a user
console-admin-add-user = Add the user and issue a one-time password
console-admin-enter-user-id = Enter the user id
console-admin-enter-user-name = Enter the name
console-admin-choose-role = Choose a role
console-admin-enter-node = Enter the code of the user's unit
console-admin-issued-for = One-time password issued for
console-admin-issued-hint = This password is shown only this once: hand it to its user, who must choose their own at the first login.
console-admin-deactivated-notice = User deactivated:
console-admin-calendar-source = Source of the calendar:
console-admin-calendar-heading = The calendar in force
console-admin-calendar-empty = No term, holiday or make-up day recorded yet.
console-admin-day-what = Kind
console-admin-day-when = Day
console-admin-day-name = Name
console-admin-day-source = Source
console-admin-term = Term
console-admin-holiday = Holiday
console-admin-make-up-day = Make-up school day
console-admin-from-file = Calendar file
console-admin-declared-by = Declared by
console-admin-from-configuration = Server configuration
console-admin-retroactive = Retroactive
console-admin-declare = Declare a holiday or make-up day
console-admin-declare-save = Declare
console-admin-retroactive-hint = A day already past is a retroactive change that can move deadlines already counted; it must be confirmed.
console-admin-confirm-retroactive = This day has passed: declaring it is a retroactive change that can move deadlines. Tick the box to confirm.
console-admin-confirm-label = I confirm this retroactive change
console-admin-enter-day-name = Enter the day's name (e.g. National Day)
console-admin-choose-kind = Choose holiday or make-up day
console-admin-declared-notice = Declared.
console-admin-source-organisation = the county's recorded calendar (its calendar file and the days declared here)
console-admin-source-none = no calendar yet: every weekday is a school day, but for the days declared here
console-admin-unit = Unit

## The dashboard's weekly trend of absences and episodes (part: trend)
console-trend-heading = Absences by week
console-trend-period = From { $from } to { $until }, by week (Monday to Sunday). An unexcused absence counts on the day it happened; an episode (a run of consecutive unexcused school days, as the ladder counts them) counts in the week of its first day.
console-trend-none = No term of the calendar has begun yet: there is no trend to show.
console-trend-chart = Unexcused absence days and episodes begun each week, { $from } to { $until }
console-trend-week = Week
console-trend-absence-days = Unexcused absence days
console-trend-episodes = Episodes begun
console-trend-axis-weeks = Week (its Monday)
console-trend-axis-count = Days / episodes
console-trend-day = { $month ->
    [1] Jan
    [2] Feb
    [3] Mar
    [4] Apr
    [5] May
    [6] Jun
    [7] Jul
    [8] Aug
    [9] Sep
    [10] Oct
    [11] Nov
   *[12] Dec
} { $day }
console-trend-week-range = { $monday } to { $sunday }
