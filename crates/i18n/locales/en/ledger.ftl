# The texts of the ledger and of the review's findings file: headers, titles, statuses,
# measures. Each has its Chinese in ../zh/ledger.ftl.

format-id-number = an 18-character resident ID number (17 digits and a check character)

## Measures to bring a child back (the plan's guiding principle)

measure-legal-education = the law explained
measure-persuasion-with-care = persuasion with care
measure-financial-aid = financial help
measure-changing-views = changing the family's view of schooling
measure-adjusted-teaching = teaching adjusted to the child
measure-better-teacher-relations = better relations with the teachers

## Titles, sheet names, file names, footer (&P and &N are Excel's page number and count)

ledger-sheet = Ledger
ledger-title = {$county} dropout control ledger ({$scope}), as of {$day}
ledger-scope-county = whole county
ledger-file-name = {$county}-ledger-{$scope}-{$day}
review-sheet = Review findings
review-title = {$county} accountability review findings ({$scope}), {$from} to {$until}
review-file-name = {$county}-review-{$scope}-{$from}-to-{$until}
page-footer = Page &P of &N

## Column headers

col-number = No.
col-name = Name
col-sex = Sex
col-id-number = National ID
col-student-number = Student number
col-township = Township
col-school = School
col-grade = Grade
col-class = Class
col-guardian = Guardian
col-guardian-phone = Phone
col-focus-groups = Focus groups
col-reason = Reason for absence or dropout
col-steps = Steps taken (date, who)
col-person-responsible = Person responsible
col-back-at-school = Back at school
col-status = Current status
col-outstanding = Outstanding steps
col-last-recorded = Last recorded
col-case-id = Case ID
col-finding = Finding
col-day = Day
col-detail = Detail
col-evidence = Evidence
col-responsible-roles = Responsible roles
col-responsible-staff = Responsible staff

## Sex, status

sex-male = Male
sex-female = Female
ledger-status-absent = Absent ({$days ->
    [one] 1 day
   *[other] {$days} days
} in a row)
ledger-status-at-school = At school
ledger-status-suspended = Suspended (expected back {$day})
ledger-status-transfer-pending = Transfer pending (to {$school})
ledger-status-transferred-out = Transferred out (to {$school})

## One line per step: the day, what was done, who did it

ledger-step-parent-contact = {$day} parents contacted{$by}: {$guardian} by {$channel}, {$reached ->
    [yes] reached
   *[no] not reached
}
ledger-step-home-visit = {$day} home visit{$by}: {$count ->
    [0] {$outcome}
   *[other] {$measures}; {$outcome}
}
ledger-step-report = {$day} reported to {$recipient}{$by}, ref. {$reference}
ledger-step-supervision = {$day} supervision{$by}: {$note}
ledger-step-support = {$day} support ({$kind}){$by}: {$amount} yuan
ledger-step-home-teaching = {$day} home teaching{$by}: {$minutes} minutes
ledger-step-by = {" "}({$people})
outcome-agreed-to-return = agreed to return
outcome-refused = refused to return
outcome-nobody-home = nobody at home
outcome-other = other
channel-phone = phone
channel-message = message
channel-in-person = in person
channel-other = other means
support-reduction = fee reduction
support-waiver = fee waiver
support-deferral = fee deferral
support-subsidy = subsidy

## Permissions

may-read-full-id-number = see children's ID numbers whole
