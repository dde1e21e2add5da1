# The review's findings: each finding's details, the facts its evidence names, the names of
# the steps of the ladder, the calendar's changes. Each has its Chinese in ../zh/review.ftl,
# with the same arguments.

## The ladder's steps

step-contact-parents = contact with the parents
step-home-visit = home visit
step-report = report to the { $recipient }

## The roles that take part in a step

case-role-head-teacher = head teacher
case-role-responsible-leader = school's responsible leader
case-role-principal = principal
case-role-township-officer = township officer
case-role-bureau-officer = bureau officer
case-role-inspector = inspector
case-role-village-cadre = village cadre
case-role-other = someone else

## The findings' details

finding-report-late = Day { $day }: report to the { $recipient } made { $late ->
        [one] { $late } day
       *[other] { $late } days
    } late (due by { $due })
finding-report-after-return = Day { $day }: report to the { $recipient } made only after the child was back, { $late ->
        [one] { $late } day
       *[other] { $late } days
    } late (due by { $due })
finding-duplicate-case = The same child's case { $other } (at { $school }) was open at the same time
finding-report-missing = Day { $day }: no report to the { $recipient } (due by { $due })
finding-step-late = Day { $day }: { $step } done { $late ->
        [one] { $late } day
       *[other] { $late } days
    } late (due by { $due })
finding-step-incomplete = Day { $day }: { $step } without the { $missing } (due by { $due })
finding-step-missed = Day { $day }: no { $step } (due by { $due })
finding-late-entry = { $fact } of { $on } recorded on { $recorded }, { $delay ->
        [one] { $delay } day
       *[other] { $delay } days
    } later
finding-transfer-without-documents = transfer to { $destination } with no document
finding-transfer-unconfirmed = transfer to { $destination } not confirmed within { $days } days: suspected dropout
finding-suspension-without-document = suspension with no approving document
finding-suspension-overdue = expected back on { $expected }, no resumption recorded
finding-no-follow-up = reported to the { $recipient } on { $on }; no follow-up within { $days } days and the child is still away
finding-unresolved-registry = registry finding ({ $issue }) of { $on }: nothing done within { $days } days{ $still_open ->
        [yes] ; still open
       *[no] {""}
    }
finding-missing-attestation = no roll call submitted for { $day }
finding-roll-call-without-case = { $name } ({ $number }) named absent without excuse in class { $class } on { $day }, but has no case
finding-roll-call-without-absence = named absent without excuse in class { $class } on { $day }, but the case has no absence that day
finding-calendar-moved-deadlines = { $what } ({ $day }) on { $declared } { $by } moved deadlines: before [{ $before }], after [{ $after }]
finding-calendar-change = { $what } ({ $day }) on { $declared } { $by }, after the day had passed; it moved deadlines in { $cases ->
        [one] { $cases } case
       *[other] { $cases } cases
    }
finding-deadline = day { $day } { $step } due by { $due }
finding-declared-by = by { $user }
finding-declared-by-unknown = by someone not recorded

## The calendar's changes

calendar-holiday-declared = holiday “{ $name }” declared
calendar-make-up-day-declared = make-up school day “{ $name }” declared
calendar-day-cleared = holiday or make-up day taken back

## Evidence: the facts by their days and kinds

evidence-fact = { $on } { $fact }
fact-case-opened = case opened
fact-focus-groups-changed = focus groups changed
fact-absence-recorded = absence
fact-leave-granted = leave
fact-parent-contacted = contact with the parents
fact-home-visit-conducted = home visit
fact-report-submitted = report
fact-report-acknowledged = report acknowledged
fact-supervision-noted = supervision note
fact-returned-to-school = return to school
fact-transferred-out = transfer out
fact-transfer-confirmed = transfer confirmed
fact-suspended = suspension
fact-resumed = resumption
fact-support-given = support
fact-home-teaching-held = home teaching
fact-case-closed = case closed
fact-case-reopened = case reopened
fact-fact-corrected = correction
fact-registry-finding-recorded = registry finding
fact-registry-finding-resolved = registry finding resolved
fact-registry-finding-cleared = registry finding cleared
fact-roll-call = roll call
fact-calendar-change = calendar change

## issue 16 leftovers (task C): what each kind of finding is called (the findings file, the API)

finding-kind-unreported-dropout = Unreported dropout
finding-kind-late-report = Late report
finding-kind-late-step = Late step
finding-kind-incomplete-step = Incomplete step
finding-kind-missed-step = Missed step
finding-kind-late-entry = Late entry
finding-kind-transfer-without-documents = Transfer without documents
finding-kind-transfer-unconfirmed = Transfer unconfirmed
finding-kind-suspension-without-document = Suspension without document
finding-kind-suspension-overdue = Suspension overdue
finding-kind-no-follow-up = No follow-up
finding-kind-unresolved-registry-finding = Unresolved registry finding
finding-kind-retroactive-calendar-change = Retroactive calendar change
finding-kind-missing-attestation = Missing roll call
finding-kind-roll-call-mismatch = Roll call mismatch
finding-kind-duplicate-case = Duplicate case file
