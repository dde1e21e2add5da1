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

## 问题15第5、7点（registry-calendar）：学籍比对分学校答复；校历文件只记录一次

cli-registry-by-school = 分学校：
cli-registry-column-township = 乡镇
cli-registry-column-school = 学校
cli-registry-column-school-id = 学校代码
cli-registry-column-examined = 核查儿童
cli-registry-column-raised = 新发现
cli-registry-column-cleared = 已解决
cli-registry-column-not-in-lists = 不在名单中
cli-registry-column-unchanged = 仍未解决
cli-registry-column-explained = 已说明
cli-registry-total = 合计
calendar-file-differs = 校历文件 { $file } 与已记录的校历不同（{ $count }处），未作任何记录。校历只记录一次：用当初记录它的文件或与现行校历相同的文件再次启动，不作任何改动。如需修改已记录的校历，请由管理员或教育局工作人员通过接口逐项申报并写明名称（POST /api/v1/calendar/terms、/api/v1/calendar/holidays、/api/v1/calendar/make-up-days；DELETE /api/v1/calendar/days/日期），系统会记下申报人和时间；之后启动时不带 --calendar，或使用内容相同的文件。不同之处：
calendar-file-not-recorded = 校历文件 { $file } 尚未记录，而本命令只读不写：请先用它启动一次服务器（notoneless serve --calendar { $file }），由此记录为全县校历
calendar-diff-day = { $day }：文件为{ $file }，记录为{ $recorded }
calendar-diff-term-file-only = 学期“{ $name }”{ $first }至{ $last }：文件中有，记录中没有
calendar-diff-term-recorded-only = 学期“{ $name }”{ $first }至{ $last }：记录中有，文件中没有
calendar-diff-utc-offset = 文件的 utc_offset_minutes 为 { $file }；已记录的校历按北京时间（{ $recorded }）
calendar-day-kind-holiday = 假日
calendar-day-kind-make-up-day = 调休上课日
calendar-day-kind-ordinary = 普通日
calendar-file-no-term = 文件未列出任何学期：其中没有一天是上课日
calendar-file-with-demo = --demo 建立的演示县自带校历，不能同时使用 --calendar
## 一个儿童只有一份案卷
cli-import-already-has-case = 已有案卷、未另立案：{ $count }行
