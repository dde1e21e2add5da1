# 命令行的回答：核查、导入。每一条都在 ../en/cli.ftl 里有英文对应，参数相同。

cli-review-written = 已将{ $count }条发现写入 { $path }
cli-import-opened = 立案{ $count }件
cli-import-opened-line = 第{ $line }行：案件 { $case }
cli-import-unchanged = 未变（此前的导入已立案）：{ $count }行
cli-import-line = 第{ $line }行
cli-import-enrolled = 已在初中入学：{ $count }人
cli-import-rejected = 拒收：{ $count }行
cli-import-rejected-row = { $file } 第{ $line }行：{ $reason }
cli-import-rejected-row-field = { $file } 第{ $line }行，{ $field }列：{ $reason }
cli-registry-summary = 学籍户籍比对“{ $name }”（{ $scope }，{ $schools }所学校）：核查儿童{ $examined }名，立案{ $opened }件；范围以外学校的{ $outside }名儿童不作变动
cli-registry-new = 新发现
cli-registry-resolved = 已解决（不再发现）
cli-registry-unchanged = 未变（仍未解决）
cli-registry-explained = 已说明（此前已凭证明解决）
cli-registry-not-in-lists = 不在最新名单中（仍未解决）
cli-scope-county = 全县
cli-scope-townships = 乡镇：{ $ids }
cli-scope-schools = 学校：{ $ids }
cli-registry-group = { $title }：{ $count }
cli-registry-change = { $school }：{ $kind }，案件 { $case }

## 一个儿童只有一份案卷
cli-import-already-has-case = 已有案卷、未另立案：{ $count }行
