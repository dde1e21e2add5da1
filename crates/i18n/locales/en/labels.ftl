# The names of things: roles, a case's statuses, the facts a case records, what a permission
# allows. Every message here has its Chinese twin in ../zh/labels.ftl.

## Roles of the users

user-role-head-teacher = head teacher
user-role-school-leader = school leader
user-role-principal = principal
user-role-township-officer = township officer
user-role-bureau-officer = bureau officer
user-role-inspector = inspector
user-role-admin = admin

## Kinds of node of the jurisdiction tree

node-kind-county = county
node-kind-township = township
node-kind-school = school

## A case's status

status-not-opened = not opened
status-enrolled = enrolled
status-suspended = suspended
status-transfer-pending = transferred out pending confirmation
status-transferred-out = transferred out
status-closed = closed

## Recording a fact, as a verb phrase ("cannot … while", "… may not …")

action-open-case = open the case
action-change-focus-groups = change focus groups
action-record-absence = record an absence
action-grant-leave = grant leave
action-record-parent-contact = record a parent contact
action-record-home-visit = record a home visit
action-report-upward = report upward
action-acknowledge-report = acknowledge a report
action-add-supervision-note = add a supervision note
action-record-return = record a return
action-transfer-out = transfer out
action-confirm-transfer = confirm a transfer
action-suspend = suspend
action-resume = resume
action-give-support = give support
action-record-home-teaching = record home teaching
action-close-case = close the case
action-reopen-case = reopen the case
action-correct-fact = correct a fact
action-record-registry-finding = record a registry finding
action-resolve-registry-finding = resolve a registry finding
action-clear-registry-finding = clear a registry finding

## What a permission allows, as a verb phrase ("… may not …")

may-manage-organisation = manage the organisation's tree, users and tokens
may-change-calendar = change the calendar
may-read-org-history = read the organisation's history
may-run-review = run a review
may-import-grade6 = import the grade-6 watch
may-import-registry = import a registry cross-check
may-download-ledger = download the ledger
may-read-child-file = read a child's file
may-search-children = search for children by name or number
may-list-reads = list who read a child's file
may-read-log-checkpoints = read the log's signing keys and signed checkpoints
may-move-clock = move the training clock
may-submit-roll-call = submit a roll call
may-open-case-at-school = open a case at a school outside their jurisdiction
may-acknowledge-others-report = acknowledge a report sent to another recipient
may-revoke-others-token = revoke another user's token
may-manage-credentials = reset the password or end the sessions of anyone but their school's head teachers and leaders
may-log-out-with-token = log out with a bearer token (a program revokes its token instead)
may-import-ledger = import a county's ledger (台账)

## Focus groups, recipients, registry findings

focus-group-poverty-alleviation-household = registered poverty-alleviation household
focus-group-disabled = disabled
focus-group-economically-poor = economically poor
focus-group-academically-struggling = academically struggling
focus-group-grade8-or-above = grade 8 or above
recipient-township-government = township government
recipient-county-bureau = county bureau
registry-issue-not-on-roll = on no school roll
registry-issue-nominal-registration = nominal registration
registry-issue-duplicate-registration = duplicate registration
registry-issue-wrong-registration = wrong registration
registry-issue-cancelled-registration = cancelled registration
