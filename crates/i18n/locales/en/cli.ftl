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

## One case file per child
cli-import-already-has-case = left, the child already has a case file: { $count } row(s)
