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
console-admin-retroactive-hint = A day already past is a retroactive change that can move deadlines already counted: before it is recorded, the deadlines it moves are shown and a reason is asked for.
console-admin-enter-day-name = Enter the day's name (e.g. National Day)
console-admin-choose-kind = Choose holiday or make-up day
console-admin-declared-notice = Declared.
console-admin-source-organisation = the county's recorded calendar (its calendar file and the days declared here)
console-admin-source-none = no calendar yet: every weekday is a school day, but for the days declared here
console-admin-unit = Unit

## the admin's users import and organisation tree (issue 17, adminorg)
console-import-title = Import users
console-import-link = Import users from a list file
console-import-intro = Upload the users' list (CSV or XLSX) with the header id,name,role,node (or 用户名,姓名,角色,单位); a role by its code (head_teacher) or its Chinese name (班主任), a unit by its code. The whole list is imported, or none of it.
console-import-file = List file
console-import-file-hint = CSV (UTF-8 or GBK) or XLSX, at most { $mb } MB
console-import-check = Check the list
console-import-choose-file = Choose the list file
console-import-too-large = The file is larger than { $mb } MB: split it and import the parts
console-import-unreadable = The upload could not be read: choose the file and upload it again
console-import-refused = { $count ->
        [one] 1 row of the list is
       *[other] { $count } rows of the list are
    } refused, and no user was imported. Correct these rows and upload the list again.
console-import-row = Row
console-import-column = Column
console-import-reason = Reason
console-import-preview-heading = Check your answers
console-import-summary = { $added } to add, { $updated } to update, { $unchanged } unchanged
console-import-added = To add
console-import-updated = To update
console-import-unchanged = Unchanged
console-import-confirm = Import them
console-import-confirm-hint = Nothing is recorded until you confirm; the new users' one-time passwords are shown once, on the next page.
console-import-nothing-to-do = The list matches the users as they are: nothing to import.
console-import-done = Imported: { $added } added, { $updated } updated, { $unchanged } unchanged.
console-import-passwords-heading = The new users' one-time passwords
console-import-passwords-hint = These passwords are shown this once and never again: download the handout to print, or hand them over in person; each must be changed at the first login.
console-import-handout = Download the passwords' handout (XLSX)
console-import-already = This list was imported already: nothing was recorded this time. The one-time passwords were shown once, at the first import; if they are lost, reset the passwords on the users' page.
console-import-password = One-time password
console-import-another = Import another list
console-import-back-to-users = Back to the users
console-org-title = Organisation
console-org-empty = No county yet.
console-org-townships = { $count ->
        [one] 1 township
       *[other] { $count } townships
    }
console-org-schools = { $count ->
        [one] 1 school
       *[other] { $count } schools
    }
console-org-users = { $count ->
        [one] 1 user
       *[other] { $count } users
    } ({ $active } active)
console-org-node-code = code
console-org-add-under = Add under { $name }
console-org-new-node = Add a township or a school
console-org-node-id = Unit code
console-org-node-id-hint = Unique and never changed, e.g. kazuo-gyz-middle
console-org-node-name = Name
console-org-parent = Under
console-org-parent-hint = Under the county, a township; under a township, a school
console-org-choose-parent = Choose the unit it belongs under
console-org-enter-id = Enter the unit's code
console-org-enter-name = Enter its name
console-org-add = Add
console-org-added = Added:
console-org-parent-choice = { $name } ({ $kind })
# ---- the principal's school pages (issue 17, school): transfers, suspensions, support, home teaching
console-record-transfer = Record a transfer out
console-record-confirmation = Record the transfer's confirmation
console-record-suspension = Record a suspension
console-record-resumption = Record the resumption
console-record-support = Record support
console-record-home-teaching = Record home teaching
console-transfer-title = Transfer out
console-transfer-day = Day of the transfer
console-transfer-school = Receiving school
console-transfer-school-hint = For a school of the county, its name: once it confirms, the child's file moves there
console-transfer-region = Region (for a school outside the county)
console-transfer-enter-school = Enter the receiving school
console-transfer-documents = Transfer papers
console-transfer-documents-hint = Such as the transfer letter or the receiving school's acceptance. A transfer without papers is still recorded, but the review lists it as a transfer without documents.
console-document-kind = What the document is
console-document-number = Its number, if any
console-document-issued-by = Issued by
console-document-issued-on = Issued on
console-document-enter-kind = Enter what the document is
console-document-enter-issued-by = Enter who issued it
console-confirmation-title = Transfer confirmation
console-confirmation-day = Day of the confirmation
console-confirmation-school = Receiving school
console-confirmation-school-hint = When the receiving school is a school of the county, it keeps the child's file from now on; this school no longer sees it.
console-confirmation-by = Who confirmed (at the receiving school)
console-confirmation-enter-by = Enter who confirmed at the receiving school
console-confirmation-document = The acceptance
console-confirmation-document-hint = Such as the receiving school's letter of acceptance (optional)
console-suspension-title = Suspension
console-suspension-day = First day of the suspension
console-suspension-expected = Expected back on
console-suspension-reason = Why
console-suspension-enter-reason = Enter why
console-suspension-document = The approval
console-suspension-document-hint = Such as the approved suspension form or a medical certificate. A suspension without one is still recorded, but the review lists it as a suspension without a document.
console-resumption-title = Resumption
console-resumption-day = Day back at school
console-support-title = Support
console-support-day = Day given
console-support-kind = Kind of support
console-support-reduction = Reduction of fees
console-support-waiver = Waiver of fees
console-support-deferral = Deferral of fees
console-support-subsidy = Grant or subsidy
console-support-choose-kind = Choose the kind of support
console-support-amount = Amount (yuan)
console-support-amount-hint = In yuan, as 500 or 500.50; a deferral may be 0
console-support-enter-amount = Enter the amount in yuan, with at most two decimals, as 500 or 500.50
console-support-from = Covers from
console-support-until = Covers until
console-home-teaching-title = Home teaching
console-home-teaching-day = Day of the session
console-home-teaching-who = Who taught
console-home-teaching-who-hint = Tick and name them; several names separated by commas
console-home-teaching-choose-who = Name at least one teacher
console-home-teaching-minutes = Length (minutes)
console-home-teaching-enter-minutes = Enter the minutes, as 60
console-home-teaching-content = What was taught
console-home-teaching-enter-content = Enter what was taught
console-fact-transfer = To { $school }
console-fact-region = Region: { $region }
console-fact-document = Document: { $kind } ({ $issuer }, { $day })
console-fact-no-document = No document
console-fact-confirmed = Receiving school: { $school }; confirmed by { $by }
console-fact-continued = Kept by the receiving school from then on
console-fact-suspension = Expected back { $day }; why: { $reason }
console-fact-support = { $kind }: { $amount } yuan, { $from } to { $until }
console-fact-teaching = { $minutes } minutes; { $teachers }: { $content }
console-fact-note = Note: { $note }
# steps2: the visit's measures, checking the report before filing it, the log's verification
console-visit-measures = What was done to bring the child back (劝返措施)
console-visit-measures-hint = Tick what this visit did, in the plan's words
console-fact-measures = Measures: { $measures }
console-report-continue = Continue
console-report-check-title = Check the report before filing it
console-report-check-lede = Nothing is filed yet. Check each report: only “File the report” records them.
console-report-to = To the { $recipient }
console-report-reference-short = Reference
console-report-signed-by = Signed by
console-report-no-summary = (none)
console-change = Change
console-report-filed = Filed: { $recipients }
console-report-not-filed = Not filed: { $recipients }. Correct the error below and send the form again: what was filed is not filed twice.
console-proof-verify-heading = Verification of the log
console-proof-verify-never = Not verified since the server started. Verifying recomputes every hash chain, which takes seconds at a county's scale: it runs only when “Verify now” is pressed.
console-proof-verify-now = Verify now
console-proof-clean = The log verifies: every hash chain is intact, every signature holds, and the latest checkpoint's signature holds and its root matches the log.
console-proof-clean-no-checkpoint = The log verifies: every hash chain is intact and every signature holds (no checkpoint has been signed yet to check against).
console-proof-tampered = The log does NOT verify: see below.
console-proof-verified-by = Verified at { $time } by { $name } ({ $minutes ->
    [0] just now
    [one] a minute ago
   *[other] { $minutes } minutes ago
 }), in { $ms } ms
console-proof-counted = { $events } events in { $streams } streams checked
console-proof-chains = Hash chains
console-proof-chains-intact = all intact
console-proof-chains-broken = { $count ->
    [one] one broken
   *[other] { $count } broken
 }
console-proof-signatures = Events' signatures
console-proof-signatures-hold = all hold
console-proof-suspect-count = { $count ->
    [one] one suspect event
   *[other] { $count } suspect events
 }
console-proof-checkpoint-check = Latest checkpoint
console-proof-checkpoint-holds = its signature holds and its root matches the log
console-proof-checkpoint-fails = does NOT hold: its signature or its root does not match the log
console-proof-digest = Digest of the log
console-proof-broken-heading = Broken chains
console-proof-suspect-heading = Suspect events
console-proof-broken-at = Case { $case }, event { $sequence }: { $problem }
console-proof-altered = its content no longer matches its hash (altered)
console-proof-removed = the sequence jumps (an event was removed)
console-proof-relinked = it does not link to the event before (inserted or replaced)
console-proof-open-timeline = Open the timeline
## the calendar page: terms, taking a day back, a retroactive change confirmed (issue 17)
console-calendar-add-term = Add a term
console-calendar-term-name = Term's name
console-calendar-term-first-day = First day
console-calendar-term-last-day = Last day
console-calendar-enter-term-name = Enter the term's name (e.g. “2023–2024, first term”)
console-calendar-term-added-notice = Term added.
console-calendar-actions = Actions
console-calendar-take-back = Take back
console-calendar-taken-back-notice = Taken back.
console-calendar-reason-shown = Reason: { $reason }
console-calendar-confirm-title = Confirm a retroactive calendar change
console-calendar-confirm-declare = { $day } has passed. Declaring it a { $kind } (“{ $name }”) is a retroactive change to the calendar, which the review lists.
console-calendar-confirm-clear = { $day } has passed. Taking back its { $kind } (“{ $name }”) is a retroactive change to the calendar, which the review lists.
console-calendar-moves-heading = Deadlines this change moves
console-calendar-moves-count = This change moves the deadlines of { $cases } cases:
console-calendar-moves-nothing = This change moves no case's deadline.
console-calendar-names-hidden = Admins read no child's file: only the schools are listed, not the children's names.
console-calendar-move-deadlines = deadline: { $before } → { $after }
console-calendar-step-on-day = day { $day }: { $step }
console-calendar-no-deadline = not owed
console-calendar-reason = Reason for the change
console-calendar-reason-hint = The reason is recorded with the change, and the review shows it.
console-calendar-enter-reason = Enter the reason for the change
console-calendar-confirm-save = Confirm the change
console-calendar-back = Back to the calendar, changing nothing
calendar-change-with-reason = { $what } (reason: { $reason })
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
